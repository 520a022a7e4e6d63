package dev.clustermesh.dns.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything an operator sets for mesh-dns, under the {@code mesh.} prefix (cluster and clusters as the agent). */
@ConfigMapping(prefix = "mesh")
public interface DnsConfig {

    Cluster cluster();

    Clusters clusters();

    Dns dns();

    interface Cluster {
        /** This cluster's name: its ClusterIPs answer first. */
        String name();

        /** This cluster's ID; accepted so mesh-dns can share the agent's environment, not used. */
        Optional<String> id();
    }

    interface Clusters {
        /** Directory with one config file per cluster to join (a mounted Secret), this cluster's own included. */
        Path dir();

        /** How often the directory is compared with what is connected. */
        @WithDefault("2s")
        Duration pollInterval();

        /** How long an unreachable cluster keeps its names; 0 keeps them until it comes back. */
        @WithDefault("5m")
        Duration ttl();

        /** Time allowed for one request to a proxy. */
        @WithDefault("10s")
        Duration requestTimeout();

        /** Longest wait between reconnection attempts. */
        @WithDefault("30s")
        Duration maxBackoff();
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

        /** Addresses served for the nameserver name when it is in the zone. */
        Optional<List<String>> nameserverAddresses();

        /** Shortest time between two zone computations. */
        @WithDefault("100ms")
        Duration minRebuildInterval();
    }
}
