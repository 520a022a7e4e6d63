package dev.clustermesh.proxy.export.etcd;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Optional;

/**
 * Leader election among the exporter replicas of one cluster, on an etcd lease.
 *
 * <p>Contract: at most one replica holds a {@link Term} whose guard passes in etcd at any time (the guard,
 * not {@link #term()}, is what makes writes safe: a replica may still believe it leads for a moment after
 * its lease expired). When the leader dies without resigning, its lease expires after the TTL and a waiting
 * replica takes over at once (it watches the election key). Failures to reach etcd are logged once per
 * streak and retried with backoff; they never escape.
 */
public interface Election extends AutoCloseable {

    /** Starts campaigning on a thread of its own; returns at once. */
    void start();

    /** The current term when this replica believes it leads, else empty. Never blocks. */
    Optional<Term> term();

    /**
     * Reports that a guarded write of {@code term} was refused: the term is given up (its lease revoked)
     * and the replica campaigns again. Ignored when {@code term} is not the current term.
     */
    void lost(Term term);

    /**
     * Resigns: stops campaigning and revokes the lease, which deletes the election key so another replica
     * takes over without waiting for the TTL. Best effort when etcd is unreachable. Idempotent.
     */
    @Override
    void close();

    /**
     * An election on {@code key} (keep it outside {@code mesh/v1/}).
     *
     * @param identity this replica's name, stored as the key's value for troubleshooting
     * @param ttl the lease TTL, whole seconds, at least 2
     * @param onChange run (on the election's thread) whenever {@link #term()} changes; must not block
     */
    static Election lease(Client client, String key, String identity, Duration ttl, Duration requestTimeout,
            Runnable onChange) {
        return new LeaseElection(client, key, identity, ttl, requestTimeout, onChange);
    }
}
