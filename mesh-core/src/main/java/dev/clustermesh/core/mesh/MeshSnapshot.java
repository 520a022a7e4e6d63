package dev.clustermesh.core.mesh;

import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.List;
import java.util.Map;

/**
 * One consistent state of the mesh.
 *
 * @param version increases with every change
 * @param services every global service, each with one ClusterService per cluster that exports it
 * @param imports the own cluster's imports (Multi-Cluster Services API), by service
 * @param nodes every cluster's nodes
 * @param configs every connected cluster's ClusterConfig (pod and service CIDRs), by name
 * @param clusters every watched cluster's status, by name
 * @param changedAtNanos {@link System#nanoTime()} of the latest change, for propagation latency
 */
public record MeshSnapshot(long version, Map<ServiceName, List<ClusterService>> services,
        Map<ServiceName, ServiceImport> imports, Map<String, List<Node>> nodes, Map<String, ClusterConfig> configs,
        Map<String, ClusterStatus> clusters,
        long changedAtNanos) {

    public MeshSnapshot {
        services = Map.copyOf(services);
        imports = Map.copyOf(imports);
        nodes = Map.copyOf(nodes);
        configs = Map.copyOf(configs);
        clusters = Map.copyOf(clusters);
    }

    /** A snapshot without ClusterConfigs (for consumers that do not route, and their tests). */
    public MeshSnapshot(long version, Map<ServiceName, List<ClusterService>> services, Map<String, List<Node>> nodes,
            Map<String, ClusterStatus> clusters, long changedAtNanos) {
        this(version, services, Map.of(), nodes, Map.of(), clusters, changedAtNanos);
    }

    /** A snapshot without imports (for consumers and tests of the annotation-based global services). */
    public MeshSnapshot(long version, Map<ServiceName, List<ClusterService>> services, Map<String, List<Node>> nodes,
            Map<String, ClusterConfig> configs, Map<String, ClusterStatus> clusters, long changedAtNanos) {
        this(version, services, Map.of(), nodes, configs, clusters, changedAtNanos);
    }
}
