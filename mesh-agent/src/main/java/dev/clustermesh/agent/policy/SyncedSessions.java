package dev.clustermesh.agent.policy;

import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.remote.ClusterStatus;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Per cluster, the policy book's input version once the cluster's current session had synced what policy reads from
 * it: what {@link PolicyBook#caughtUp()} compares the enforced program with. Not thread-safe: the book calls it
 * under its lock.
 */
final class SyncedSessions {
    /** What policy reads from a remote cluster. */
    private static final Set<ResourceKind> KINDS = Set.copyOf(EnumSet.of(ResourceKind.ENDPOINTS,
            ResourceKind.IDENTITIES));
    /** What policy reads from its own cluster. */
    private static final Set<ResourceKind> KINDS_OWN = Set.copyOf(EnumSet.of(ResourceKind.ENDPOINTS,
            ResourceKind.IDENTITIES, ResourceKind.POLICIES));

    private final String cluster;
    private final Map<String, Listed> listedAt = new HashMap<>();

    /**
     * One cluster's session as policy saw it synced.
     *
     * @param session when the session started (its status's {@code connectedSince}): a new session, even of a new
     *     connection object with the same revision, lists anew
     * @param version the book's input version once it had synced
     */
    private record Listed(Optional<Instant> session, long version) {
    }

    /** @param cluster the book's own cluster, which also lists its policies */
    SyncedSessions(String cluster) {
        this.cluster = cluster;
    }

    /** True when {@code status}'s current session has synced everything policy reads from that cluster. */
    boolean listed(ClusterStatus status) {
        return status.syncedKinds().containsAll(status.name().equals(cluster) ? KINDS_OWN : KINDS);
    }

    /**
     * Records a cluster's status at the book's input {@code version}: a session that has synced what policy reads is
     * marked at the version of its first such status; one that has not is forgotten.
     */
    void status(ClusterStatus status, long version) {
        Listed known = listedAt.get(status.name());
        if (status.syncedRevision() == 0 || !listed(status)) {
            listedAt.remove(status.name());
        } else if (known == null || !known.session().equals(status.connectedSince())) {
            listedAt.put(status.name(), new Listed(status.connectedSince(), version));
        }
    }

    void remove(String name) {
        listedAt.remove(name);
    }

    /** True when a program compiled from input {@code version} holds every marked session's list. */
    boolean heldBy(long version) {
        return listedAt.values().stream().allMatch(l -> version >= l.version());
    }
}
