package dev.clustermesh.core.remote;

/**
 * How far one cluster's state, as a watcher holds it, can be trusted. Backends of a {@link #STALE} cluster are
 * load-balanced to (and answered in DNS) only where no {@link #FRESH} cluster has active backends for the same
 * service, so a cluster that went quiet neither blackholes a service nor takes traffic from healthy clusters.
 */
public enum Freshness {
    /** Never listed since start (or since its last withdrawal): holds nothing. */
    PENDING,
    /** Connected, every sync canary seen, heard from (heartbeat or connection) within {@code stale-after}. */
    FRESH,
    /**
     * Holds its last state, which may be out of date: disconnected or without a new heartbeat for longer than
     * {@code stale-after}, its sync canaries missing, or a re-list that lacked them holding what it had before.
     */
    STALE,
    /** Withdrawn: unheard of for longer than the TTL. Holds nothing until it is listed again. */
    REVOKED;

    /** The name shown by status commands and metrics. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
