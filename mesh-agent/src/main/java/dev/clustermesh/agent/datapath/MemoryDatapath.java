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
    private volatile LbMaps applied = LbMaps.EMPTY;
    private final List<String> transactions = new ArrayList<>();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public synchronized void apply(LbMaps desired, boolean fullSync) {
        Set<LbFrontend> before = new HashSet<>(applied.services().keySet());
        int added = 0;
        int changed = 0;
        for (var e : desired.services().entrySet()) {
            if (!before.remove(e.getKey())) {
                added++;
            } else if (!e.getValue().equals(applied.services().get(e.getKey()))) {
                changed++;
            }
        }
        transactions.add((fullSync ? "full " : "") + "services +" + added + " ~" + changed + " -" + before.size()
                + ", backends " + desired.backends().size());
        applied = desired;
    }

    /** What is programmed. */
    public LbMaps applied() {
        return applied;
    }

    /** The programmed maps as text. */
    public String dump() {
        return applied.dump();
    }

    /** One summary line per applied transaction, oldest first. */
    public synchronized List<String> transactions() {
        return List.copyOf(transactions);
    }
}
