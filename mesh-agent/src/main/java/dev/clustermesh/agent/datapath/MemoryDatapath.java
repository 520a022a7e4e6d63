package dev.clustermesh.agent.datapath;

import dev.clustermesh.agent.loadbalancer.LbBackend;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbIds;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.loadbalancer.LbService;
import dev.clustermesh.agent.routing.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A datapath in memory: it keeps its own copy of the maps, applying each transaction entry by entry (only the
 * changed entries when told which), and records every transaction as a one-line summary. For nodes that route
 * on their own, and for tests.
 */
public final class MemoryDatapath implements Datapath {
    private final TreeMap<LbFrontend, LbService> services = new TreeMap<>();
    private final TreeMap<Integer, LbBackend> backends = new TreeMap<>();
    private TreeSet<Route> routes = new TreeSet<>();
    private final List<String> transactions = new ArrayList<>();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public synchronized void apply(DatapathState desired, boolean fullSync) {
        services.clear();
        services.putAll(desired.lb().services());
        backends.clear();
        backends.putAll(desired.lb().backends());
        routes = new TreeSet<>(desired.routes());
        transactions.add("full services " + services.size() + ", backends " + backends.size() + ", routes " + routes.size());
    }

    @Override
    public synchronized void apply(DatapathState desired, DatapathChange change, boolean fullSync) {
        if (fullSync) {
            apply(desired, true);
            return;
        }
        for (LbFrontend f : change.lb().services()) {
            copy(services, desired.lb().services(), f);
        }
        for (Integer id : change.lb().backends()) {
            copy(backends, desired.lb().backends(), id);
        }
        if (change.routes()) {
            routes = new TreeSet<>(desired.routes());
        }
        transactions.add("services ~" + change.lb().services().size() + ", backends ~" + change.lb().backends().size()
                + (change.routes() ? ", routes " + routes.size() : ""));
    }

    private static <K, V> void copy(TreeMap<K, V> mine, java.util.Map<K, V> desired, K key) {
        V v = desired.get(key);
        if (v == null) {
            mine.remove(key);
        } else {
            mine.put(key, v);
        }
    }

    /** What is programmed, as an immutable copy. */
    public synchronized DatapathState applied() {
        return new DatapathState(new LbMaps(new TreeMap<>(services), new TreeMap<>(backends), LbIds.EMPTY),
                new TreeSet<>(routes));
    }

    /** The programmed maps and routes as text. */
    public String dump() {
        DatapathState s = applied();
        StringBuilder b = new StringBuilder(s.lb().dump());
        s.routes().forEach(r -> b.append("route ").append(r.cidr()).append(" via ").append(r.via())
                .append(" cluster=").append(r.cluster()).append(" node=").append(r.node()).append('\n'));
        return b.toString();
    }

    /** One summary line per applied transaction, oldest first. */
    public synchronized List<String> transactions() {
        return List.copyOf(transactions);
    }
}
