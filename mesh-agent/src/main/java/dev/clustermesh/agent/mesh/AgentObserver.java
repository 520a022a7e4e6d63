package dev.clustermesh.agent.mesh;

import dev.clustermesh.core.mesh.MeshFollower;

/** What the agent core reports for metrics and logs: the mesh's events and the reconciler's. Must not block. */
public interface AgentObserver extends MeshFollower.Observer {
    /** Nothing is reported. */
    AgentObserver NONE = new AgentObserver() {
    };

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
