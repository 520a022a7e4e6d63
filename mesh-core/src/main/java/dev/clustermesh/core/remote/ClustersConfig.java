package dev.clustermesh.core.remote;

import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code mesh.clusters.*} properties, one config group that mesh-agent and mesh-dns both nest under their
 * {@code @ConfigMapping(prefix = "mesh")}: the one place their names and defaults are written. Validated by
 * {@link RemoteClusterOptions#from}.
 */
public interface ClustersConfig {

    /** Directory with one config file per cluster to join (a mounted Secret), this cluster's own included. */
    Path dir();

    /** How often the directory is compared with what is connected. */
    @WithDefault("2s")
    Duration pollInterval();

    /** How long an unreachable cluster keeps its state (backends, names); 0 keeps it until it comes back. */
    @WithDefault("5m")
    Duration ttl();

    /**
     * How long a cluster may be unreachable, or publish no new heartbeat, and still count as fresh; after it, its
     * state is stale (used only where no fresh cluster has active backends) until the TTL withdraws it. Longer
     * than the exporters' heartbeat interval (10 s by default). Unset: 30 s, or half the TTL when that is shorter.
     */
    Optional<Duration> staleAfter();

    /**
     * Time allowed for one request to a proxy; a first list of 10,000 services is ~7 MB, which a loaded node
     * did not take within 10 s. mesh-dns reads the same list, so it shares this default (it had 10 s).
     */
    @WithDefault("30s")
    Duration requestTimeout();

    /** Longest wait between reconnection attempts. */
    @WithDefault("30s")
    Duration maxBackoff();
}
