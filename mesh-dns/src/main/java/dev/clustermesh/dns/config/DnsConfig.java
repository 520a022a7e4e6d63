package dev.clustermesh.dns.config;

import dev.clustermesh.core.remote.ClustersConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything an operator sets for mesh-dns, under the {@code mesh.} prefix (cluster and clusters as the agent). */
@ConfigMapping(prefix = "mesh")
public interface DnsConfig {

    Cluster cluster();

    /** {@code mesh.clusters.*}: shared with the agent, names and defaults in {@link ClustersConfig}. */
    ClustersConfig clusters();

    Dns dns();

    interface Cluster {
        /** This cluster's name: its ClusterIPs answer first. */
        String name();

        /** This cluster's ID; accepted so mesh-dns can share the agent's environment, not used. */
        Optional<String> id();
    }

    interface Dns {
        /** The zone served. */
        @WithDefault("clusterset.local")
        String zone();

        /** TTL of every record and of negative answers; whole seconds. */
        @WithDefault("5s")
        Duration ttl();

        /** Address to listen on, UDP and TCP. */
        @WithDefault("0.0.0.0")
        String host();

        /** Port, UDP and TCP. */
        @WithDefault("53")
        int port();

        /** UDP sockets on the port (SO_REUSEPORT), one event loop each; defaults to the number of CPUs. */
        Optional<Integer> udpSockets();

        /** Largest UDP answer to an EDNS client. */
        @WithDefault("1232")
        int udpPayloadMax();

        /** A TCP connection idle this long is closed. */
        @WithDefault("10s")
        Duration tcpIdleTimeout();

        /** TCP connections above this are closed at once. */
        @WithDefault("1024")
        int tcpMaxConnections();

        /** NS target and SOA MNAME; defaults to {@code ns.dns.<zone>}. */
        Optional<String> nameserver();

        /**
         * Also serve {@code <cluster>.<svc>.<ns>.svc.<zone>} for services imported with a clusterset IP (Multi-Cluster
         * Services API). The MCS DNS specification has no such names; off by default.
         */
        @WithDefault("false")
        boolean importClusterRecords();

        /** Addresses served for the nameserver name when it is in the zone. */
        Optional<List<String>> nameserverAddresses();

        /** Shortest time between two zone computations. */
        @WithDefault("100ms")
        Duration minRebuildInterval();
    }
}
