package dev.clustermesh.agent.datapath;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A datapath in memory: each transaction is applied to a copy and swapped in; every transaction is recorded as
 * a one-line summary. For nodes that route on their own, and for tests.
 */
public final class MemoryDatapath implements Datapath {
    private volatile DatapathState applied = DatapathState.EMPTY;
    private final List<String> transactions = new ArrayList<>();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public synchronized void apply(DatapathState state, boolean fullSync) {
        LbMaps desired = state.lb();
        LbMaps old = applied.lb();
        Set<LbFrontend> before = new HashSet<>(old.services().keySet());
        int added = 0;
        int changed = 0;
        for (var e : desired.services().entrySet()) {
            if (!before.remove(e.getKey())) {
                added++;
            } else if (!e.getValue().equals(old.services().get(e.getKey()))) {
                changed++;
            }
        }
        transactions.add((fullSync ? "full " : "") + "services +" + added + " ~" + changed + " -" + before.size()
                + ", backends " + desired.backends().size() + ", routes " + state.routes().size());
        applied = state;
    }

    /** What is programmed. */
    public DatapathState applied() {
        return applied;
    }

    /** The programmed maps and routes as text. */
    public String dump() {
        StringBuilder b = new StringBuilder(applied.lb().dump());
        applied.routes().forEach(r -> b.append("route ").append(r.cidr()).append(" via ").append(r.via())
                .append(" cluster=").append(r.cluster()).append(" node=").append(r.node()).append('\n'));
        return b.toString();
    }

    /** One summary line per applied transaction, oldest first. */
    public synchronized List<String> transactions() {
        return List.copyOf(transactions);
    }
}
