package dev.clustermesh.core.remote;

import java.time.Duration;

/**
 * Tuning of remote-cluster connections.
 *
 * @param ttl how long an unreachable cluster keeps its state before it is withdrawn; zero keeps it forever
 * @param requestTimeout time allowed for one request to a proxy
 * @param maxBackoff longest wait between reconnection attempts (exponential from 200 ms, with jitter)
 */
public record RemoteClusterOptions(Duration ttl, Duration requestTimeout, Duration maxBackoff) {
    /** Defaults: keep state for 10 minutes, 10 s requests, back off up to 30 s. */
    public static final RemoteClusterOptions DEFAULTS =
            new RemoteClusterOptions(Duration.ofMinutes(10), Duration.ofSeconds(10), Duration.ofSeconds(30));
}
