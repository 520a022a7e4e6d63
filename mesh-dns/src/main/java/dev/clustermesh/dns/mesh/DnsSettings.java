package dev.clustermesh.dns.mesh;

import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.dns.server.ServerSettings;
import dev.clustermesh.dns.zone.ZoneSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated mesh-dns configuration.
 *
 * @param zone the zone: apex, TTL, local cluster, nameserver
 * @param server where and how to listen
 * @param clustersDir directory with one config file per cluster to join (the agent's)
 * @param pollInterval how often the directory is compared with what is connected
 * @param remote connection tuning (TTL, timeouts, backoff)
 * @param minRebuildInterval the shortest time between two zone computations, so a burst of changes is computed
 *        once
 */
public record DnsSettings(ZoneSettings zone, ServerSettings server, Path clustersDir, Duration pollInterval,
        RemoteClusterOptions remote, Duration minRebuildInterval) {
}
