package dev.clustermesh.core.remote;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;

/**
 * Receives the state of every watched cluster. Calls for one cluster arrive in order on one thread at a time;
 * calls for different clusters may arrive concurrently. A {@code null} value means the key is gone.
 * Implementations record and mark dirty; they must not block.
 */
public interface MeshListener {

    /** A global service of {@code cluster} appeared, changed ({@code value}) or disappeared ({@code null}). */
    void serviceChanged(String cluster, MeshKey.Service key, ClusterService value);

    /** A node of {@code cluster} appeared, changed or disappeared ({@code null}). */
    void nodeChanged(String cluster, String node, Node value);

    /** An endpoint of {@code cluster} appeared, changed or disappeared ({@code null}). */
    default void endpointChanged(String cluster, String ip, Endpoint value) {
    }

    /**
     * A policy of this agent's own cluster appeared, changed ({@code json}: the Kubernetes object as the exporter
     * stored it) or disappeared ({@code null}). Never told for other clusters: policies are not shared.
     */
    default void policyChanged(String cluster, MeshKey.Policy key, String json) {
    }

    /**
     * A service this agent's own cluster imports (Multi-Cluster Services API: its clusterset IPs) appeared, changed
     * or disappeared ({@code null}). Never told for other clusters: imports are local.
     */
    default void importChanged(String cluster, MeshKey.Import key, ServiceImport value) {
    }

    /**
     * The ClusterConfig of {@code cluster} as validated at the latest connect (pod and service CIDRs), or
     * {@code null} once the cluster's state is withdrawn. Told only when it differs from the previous one.
     */
    default void configChanged(String cluster, ClusterConfig value) {
    }

    /**
     * A new heartbeat of {@code cluster} arrived by watch at {@code receivedMillis} (this machine's clock); not
     * told for heartbeats read by a list, which may be old.
     */
    default void heartbeat(String cluster, Heartbeat heartbeat, long receivedMillis) {
    }

    /** The connection state of a cluster changed. */
    void statusChanged(ClusterStatus status);

    /**
     * {@code cluster}'s config file was removed: forget its status. Its state has been withdrawn already (told
     * as deletions by its watcher before this call).
     */
    default void clusterRemoved(String cluster) {
    }

    /** A key or value read from {@code cluster} was unusable and skipped. */
    default void invalid(String cluster, String key, String reason) {
    }
}
