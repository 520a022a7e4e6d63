package dev.clustermesh.core.remote;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * Tuning of remote-cluster connections. Defaults live in {@link ClustersConfig} only.
 *
 * @param ttl how long an unreachable cluster keeps its state before it is withdrawn; zero keeps it forever
 * @param staleAfter how long a cluster may be unreachable or without a new heartbeat and still count as fresh
 * @param requestTimeout time allowed for one request to a proxy
 * @param maxBackoff longest wait between reconnection attempts (exponential from 200 ms, with jitter)
 */
public record RemoteClusterOptions(Duration ttl, Duration staleAfter, Duration requestTimeout, Duration maxBackoff) {

    /** Options with the default stale-after. */
    public RemoteClusterOptions(Duration ttl, Duration requestTimeout, Duration maxBackoff) {
        this(ttl, defaultStaleAfter(ttl), requestTimeout, maxBackoff);
    }

    /** 30 s, or half the TTL when that is shorter. */
    static Duration defaultStaleAfter(Duration ttl) {
        return ttl.isZero() || ttl.compareTo(Duration.ofMinutes(1)) >= 0 ? Duration.ofSeconds(30) : ttl.dividedBy(2);
    }

    /**
     * Validates the {@code mesh.clusters.*} properties, adding each problem, named by its property, to
     * {@code errors}.
     *
     * @return the options; meaningful only when no error was added
     */
    public static RemoteClusterOptions from(ClustersConfig c, List<String> errors) {
        if (!Files.isDirectory(c.dir())) {
            errors.add("mesh.clusters.dir: '" + c.dir() + "' is not a directory");
        }
        if (c.ttl().isNegative()) {
            errors.add("mesh.clusters.ttl: " + c.ttl() + " must not be negative");
        }
        positive("mesh.clusters.poll-interval", c.pollInterval(), errors);
        Duration staleAfter = c.staleAfter().orElse(defaultStaleAfter(c.ttl().isNegative() ? Duration.ZERO : c.ttl()));
        positive("mesh.clusters.stale-after", staleAfter, errors);
        if (!c.ttl().isZero() && !c.ttl().isNegative() && staleAfter.compareTo(c.ttl()) >= 0) {
            errors.add("mesh.clusters.stale-after: " + staleAfter + " must be shorter than mesh.clusters.ttl ("
                    + c.ttl() + "), or the state would be withdrawn before it is ever stale");
        }
        positive("mesh.clusters.request-timeout", c.requestTimeout(), errors);
        positive("mesh.clusters.max-backoff", c.maxBackoff(), errors);
        return new RemoteClusterOptions(c.ttl(), staleAfter, c.requestTimeout(), c.maxBackoff());
    }

    private static void positive(String property, Duration d, List<String> errors) {
        if (d.isNegative() || d.isZero()) {
            errors.add(property + ": " + d + " must be positive");
        }
    }
}
