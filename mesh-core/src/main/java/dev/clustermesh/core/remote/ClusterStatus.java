package dev.clustermesh.core.remote;

import dev.clustermesh.core.keys.ResourceKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What an operator sees of one cluster connection.
 *
 * @param name the cluster name
 * @param id the cluster ID from its ClusterConfig, 0 until read
 * @param connected true while a session is listing or watching
 * @param ready connected, config valid and every kind's sync canary seen
 * @param syncedKinds kinds whose sync canary has been seen
 * @param services global services held
 * @param nodes nodes held
 * @param endpoints endpoints held
 * @param lastFailure the last failure, empty when none
 * @param lastFailureAt when it happened
 * @param connectedSince start of the current session, empty while disconnected
 * @param lastHeartbeat the cluster's last heartbeat timestamp, empty when never seen
 * @param freshness how far its state can be trusted (withdrawn when {@link Freshness#REVOKED})
 * @param freshnessReason why it is not fresh, empty when it is
 * @param revision the cluster's etcd revision of the latest list or event received (0 before the first list)
 * @param syncedRevision the revision at which the current session was first ready, 0 while it is not
 */
public record ClusterStatus(String name, int id, boolean connected, boolean ready, Set<ResourceKind> syncedKinds,
        int services, int nodes, int endpoints, String lastFailure, Optional<Instant> lastFailureAt,
        Optional<Instant> connectedSince, Optional<Instant> lastHeartbeat, Freshness freshness,
        String freshnessReason, long revision, long syncedRevision) {

    public ClusterStatus {
        syncedKinds = Set.copyOf(syncedKinds);
    }

    /** A cluster that has not connected yet. */
    static ClusterStatus initial(String name) {
        return new ClusterStatus(name, 0, false, false, Set.of(), 0, 0, 0, "", Optional.empty(), Optional.empty(),
                Optional.empty(), Freshness.PENDING, "not listed yet", 0, 0);
    }

    /** True when its state was withdrawn after it was unheard of longer than the TTL. */
    public boolean withdrawn() {
        return freshness == Freshness.REVOKED;
    }

    /** True when its backends are used only where no fresh cluster has active ones. */
    public boolean stale() {
        return freshness == Freshness.STALE;
    }

    /** Age of the last heartbeat at {@code now}, empty when none was seen. */
    public Optional<Duration> heartbeatAge(Instant now) {
        return lastHeartbeat.map(t -> Duration.between(t, now));
    }

    /** True when the cluster is synced or has failed with a reason (what readiness waits for). */
    public boolean settled() {
        return ready || !lastFailure.isEmpty();
    }
}
