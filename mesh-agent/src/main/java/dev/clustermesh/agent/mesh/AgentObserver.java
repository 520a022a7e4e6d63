package dev.clustermesh.agent.mesh;

/** What the agent core reports for metrics and logs. Implementations must not block. */
public interface AgentObserver {
    /** Nothing is reported. */
    AgentObserver NONE = new AgentObserver() {
    };

    /** A service or node event arrived from {@code cluster}. */
    default void event(String cluster) {
    }

    /** A cluster's connection status changed. */
    default void clusterStatus(dev.clustermesh.core.remote.ClusterStatus status) {
    }

    /** A key or value from {@code cluster} was unusable and skipped. */
    default void invalid(String cluster, String reason) {
    }

    /** A cluster config file is unusable. */
    default void badClusterFile(String file, String reason) {
    }

    /**
     * A desired state was applied.
     *
     * @param reconcileNanos time to compute and apply it
     * @param propagationNanos time from the latest mesh change it includes to applied
     */
    default void applied(long reconcileNanos, long propagationNanos) {
    }

    /** Applying failed; the reconciler retries with backoff and a full sync. */
    default void failed(RuntimeException e) {
    }
}
