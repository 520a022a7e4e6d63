package dev.clustermesh.agent.loadbalancer;

import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * The LB maps kept up to date one global service at a time, so a change costs in proportion to that service,
 * not to the whole mesh (as kube-proxy's partial syncs). Each service's entries come from the same pure
 * {@link LbCompute#service}; backends are reference-counted by the slots that use them; IDs are stable while
 * their frontend or backend exists and are never reused. A backend shared by two services carries the state
 * its last updated service reported; the exporter rewrites every service of a pod whose readiness changes,
 * so a disagreement lasts one update at most (each service's slots keep their own usable marks meanwhile).
 * Not thread-safe: one owner (the reconciler) updates
 * it and publishes copies ({@link #maps()}) for readers.
 */
public final class LbBook implements LbCompute.IdSource {
    private final String localCluster;
    private final Map<ServiceName, LbCompute.Entries> byName = new HashMap<>();
    private final TreeMap<LbFrontend, LbService> services = new TreeMap<>();
    private final TreeMap<Integer, LbBackend> backends = new TreeMap<>();
    private final Map<Integer, Integer> refs = new HashMap<>();
    private final Map<LbFrontend, Integer> serviceIds = new HashMap<>();
    private final Map<LbBackend.Key, Integer> backendIds = new HashMap<>();
    private int nextService = 1;
    private int nextBackend = 1;

    /** An empty book for the agent of {@code localCluster}. */
    public LbBook(String localCluster) {
        this.localCluster = localCluster;
    }

    /**
     * Recomputes one global service and records what changed.
     *
     * @param inputs the service's ClusterServices, one per cluster; empty when it is gone everywhere
     * @param clusterId a cluster's ID by name
     */
    public void update(ServiceName name, List<ClusterService> inputs, ToIntFunction<String> clusterId, LbChange change) {
        LbCompute.Entries next = LbCompute.service(localCluster, name, inputs, clusterId, this);
        LbCompute.Entries old = next.services().isEmpty() ? byName.remove(name) : byName.put(name, next);
        // Take the new references before dropping the old ones, so a backend kept by the update stays.
        for (LbBackend b : next.backends()) {
            refs.merge(b.id(), 1, Integer::sum);
            if (!b.equals(backends.put(b.id(), b))) {
                change.backends().add(b.id());
            }
        }
        for (LbService s : next.services()) {
            if (!s.equals(services.put(s.frontend(), s))) {
                change.services().add(s.frontend());
            }
        }
        if (old == null) {
            return;
        }
        Set<LbFrontend> kept = next.services().stream().map(LbService::frontend).collect(java.util.stream.Collectors.toSet());
        for (LbService s : old.services()) {
            LbService current = services.get(s.frontend());
            if (!kept.contains(s.frontend()) && current != null && current.name().equals(name)) {
                services.remove(s.frontend());
                serviceIds.remove(s.frontend());
                change.services().add(s.frontend());
            }
        }
        for (LbBackend b : old.backends()) {
            if (refs.merge(b.id(), -1, Integer::sum) == 0) {
                refs.remove(b.id());
                backends.remove(b.id());
                backendIds.remove(b.key());
                change.backends().add(b.id());
            }
        }
    }

    /** Every service the book holds entries for. */
    public Set<ServiceName> names() {
        return Set.copyOf(byName.keySet());
    }

    /** Read-only views of the current maps, valid until the next {@link #update}. */
    public LbMaps view() {
        return new LbMaps(services, backends, LbIds.EMPTY);
    }

    /**
     * An immutable copy of the services and backends maps, without the ID allocations (what readers of the
     * applied state need; cheaper than {@link #snapshot()}).
     */
    public LbMaps maps() {
        return new LbMaps(new TreeMap<>(services), new TreeMap<>(backends), LbIds.EMPTY);
    }

    /** An immutable copy of the current maps, ID allocations included. */
    public LbMaps snapshot() {
        return new LbMaps(new TreeMap<>(services), new TreeMap<>(backends),
                new LbIds(serviceIds, backendIds, nextService, nextBackend));
    }

    public int serviceCount() {
        return services.size();
    }

    public int backendCount() {
        return backends.size();
    }

    @Override
    public int service(LbFrontend frontend) {
        return serviceIds.computeIfAbsent(frontend, f -> nextService++);
    }

    @Override
    public int backend(LbBackend.Key key) {
        return backendIds.computeIfAbsent(key, k -> nextBackend++);
    }
}
