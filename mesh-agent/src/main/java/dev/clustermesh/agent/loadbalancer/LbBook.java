package dev.clustermesh.agent.loadbalancer;

import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.pcollections.TreePMap;

/**
 * The LB maps kept up to date one global service at a time, so a change costs in proportion to that service,
 * not to the whole mesh (as kube-proxy's partial syncs). Each service's entries come from the same pure
 * {@link LbCompute#service}; backends are reference-counted by the slots that use them; IDs are stable while
 * their frontend or backend exists and are never reused. A backend shared by two services carries the state
 * its last updated service reported; the exporter rewrites every service of a pod whose readiness changes,
 * so a disagreement lasts one update at most (each service's slots keep their own usable marks meanwhile).
 * Not thread-safe: one owner (the reconciler) updates it.
 *
 * <p>The services and backends maps are persistent (structurally shared, immutable) maps: an update replaces the
 * path to the changed entries only, so {@link #maps()} hands out a true snapshot in constant time. The
 * reconciler gives the same snapshot to the datapath and to readers; neither ever sees a later update.
 */
public final class LbBook implements LbCompute.IdSource {
    private final String localCluster;
    private final Map<ServiceName, LbCompute.Entries> byName = new HashMap<>();
    private TreePMap<LbFrontend, LbService> services = TreePMap.empty();
    private TreePMap<Integer, LbBackend> backends = TreePMap.empty();
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
     * @param stale true for a cluster whose state is stale
     */
    public void update(ServiceName name, List<ClusterService> inputs, ToIntFunction<String> clusterId,
            java.util.function.Predicate<String> stale, LbChange change) {
        update(name, inputs, null, clusterId, stale, change);
    }

    /**
     * As {@link #update(ServiceName, List, ToIntFunction, java.util.function.Predicate, LbChange)}, with the own
     * cluster's import of the service (its clusterset IPs become frontends too), or null when it has none.
     */
    public void update(ServiceName name, List<ClusterService> inputs, ServiceImport imported,
            ToIntFunction<String> clusterId, java.util.function.Predicate<String> stale, LbChange change) {
        LbCompute.Entries next = LbCompute.service(localCluster, name, inputs, imported, clusterId, stale, this);
        LbCompute.Entries old = next.services().isEmpty() ? byName.remove(name) : byName.put(name, next);
        // Take the new references before dropping the old ones, so a backend kept by the update stays.
        for (LbBackend b : next.backends()) {
            refs.merge(b.id(), 1, Integer::sum);
            if (!b.equals(backends.get(b.id()))) {
                backends = backends.plus(b.id(), b);
                change.backends().add(b.id());
            }
        }
        for (LbService s : next.services()) {
            if (!s.equals(services.get(s.frontend()))) {
                services = services.plus(s.frontend(), s);
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
                services = services.minus(s.frontend());
                serviceIds.remove(s.frontend());
                change.services().add(s.frontend());
            }
        }
        for (LbBackend b : old.backends()) {
            if (refs.merge(b.id(), -1, Integer::sum) == 0) {
                refs.remove(b.id());
                backends = backends.minus(b.id());
                backendIds.remove(b.key());
                change.backends().add(b.id());
            }
        }
    }

    /** Every service the book holds entries for. */
    public Set<ServiceName> names() {
        return Set.copyOf(byName.keySet());
    }

    /**
     * The services and backends maps as they are now, without the ID allocations: an immutable snapshot that
     * later updates do not change, made in constant time (what the datapath and readers of the applied state need).
     */
    public LbMaps maps() {
        return new LbMaps(services, backends, LbIds.EMPTY);
    }

    /** The current maps, ID allocations included (those are copied). */
    public LbMaps snapshot() {
        return new LbMaps(services, backends, new LbIds(serviceIds, backendIds, nextService, nextBackend));
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
