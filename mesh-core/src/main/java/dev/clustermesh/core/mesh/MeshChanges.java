package dev.clustermesh.core.mesh;

import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What changed in a {@link MeshView} since the previous {@link MeshView#drain()}.
 *
 * @param version the view's version at the drain
 * @param changedAtNanos {@link System#nanoTime()} of the latest change included
 * @param services every global service that changed, with its current ClusterServices (empty when gone)
 * @param imports the own cluster's current import of each changed service that has one
 * @param clusterIds every cluster's ID, present when some cluster's ID changed (or on the first drain)
 * @param nodes every cluster's nodes, present when a node changed (or on the first drain)
 * @param configs every cluster's ClusterConfig, present when one changed (or on the first drain)
 * @param clusters every cluster's status
 */
public record MeshChanges(long version, long changedAtNanos, Map<ServiceName, List<ClusterService>> services,
        Map<ServiceName, ServiceImport> imports,
        Optional<Map<String, Integer>> clusterIds, Optional<Map<String, List<Node>>> nodes,
        Optional<Map<String, ClusterConfig>> configs, Map<String, ClusterStatus> clusters) {

    public MeshChanges {
        services = Map.copyOf(services);
        imports = Map.copyOf(imports);
        clusters = Map.copyOf(clusters);
    }
}
