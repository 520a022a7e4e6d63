package dev.clustermesh.agent.mesh;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated agent configuration.
 *
 * @param cluster this node's cluster
 * @param node this node's name
 * @param clustersDir directory with one config file per cluster to join
 * @param pollInterval how often the directory is compared with what is connected
 * @param remote connection tuning (TTL, timeouts, backoff)
 * @param datapath datapath mode name
 */
public record AgentSettings(ClusterIdentity cluster, String node, Path clustersDir, Duration pollInterval,
        RemoteClusterOptions remote, String datapath) {
}
