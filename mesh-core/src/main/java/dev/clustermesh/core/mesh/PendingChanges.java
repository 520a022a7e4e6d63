package dev.clustermesh.core.mesh;

import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What changed in a {@link MeshView} since its consumer last drained it. Everything is pending at first, so
 * the first drain carries the whole state. Guarded by the view's lock.
 */
final class PendingChanges {
    final Set<ServiceName> services = new HashSet<>();
    boolean ids = true;
    boolean nodes = true;
    boolean configs = true;

    /** The pending changes with the view's current values, and nothing pending after. */
    MeshChanges drain(long version, long changedAtNanos, Map<ServiceName, List<ClusterService>> changed,
            Map<ServiceName, ServiceImport> imports, Map<String, ClusterStatus> clusters, Supplier<Map<String, List<Node>>> allNodes,
            Map<String, ClusterConfig> allConfigs) {
        Optional<Map<String, Integer>> idsNow = Optional.empty();
        if (ids) {
            Map<String, Integer> m = new HashMap<>();
            clusters.forEach((name, s) -> m.put(name, s.id()));
            idsNow = Optional.of(Map.copyOf(m));
        }
        Optional<Map<String, List<Node>>> nodesNow = nodes ? Optional.of(Map.copyOf(allNodes.get())) : Optional.empty();
        Optional<Map<String, ClusterConfig>> configsNow = configs ? Optional.of(Map.copyOf(allConfigs)) : Optional.empty();
        services.clear();
        ids = false;
        nodes = false;
        configs = false;
        return new MeshChanges(version, changedAtNanos, changed, imports, idsNow, nodesNow, configsNow, clusters);
    }
}
