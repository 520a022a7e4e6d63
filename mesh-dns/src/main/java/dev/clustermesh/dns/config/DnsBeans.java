package dev.clustermesh.dns.config;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.dns.mesh.DnsSettings;
import dev.clustermesh.dns.server.ServerSettings;
import dev.clustermesh.dns.zone.DnsNames;
import dev.clustermesh.dns.zone.ZoneSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Validates the configuration once into {@link DnsSettings}; every problem is reported with its property. */
final class DnsBeans {

    @Produces
    @Singleton
    DnsSettings settings(DnsConfig c) {
        List<String> errors = new ArrayList<>();
        ClusterIdentity.nameProblem(c.cluster().name()).ifPresent(p -> errors.add("mesh.cluster.name: " + p));
        RemoteClusterOptions remote = RemoteClusterOptions.from(c.clusters(), errors);
        ZoneSettings zone = zone(c.cluster().name(), c.dns(), errors);
        ServerSettings server = server(c.dns(), errors);
        if (c.dns().minRebuildInterval().isNegative()) {
            errors.add("mesh.dns.min-rebuild-interval: " + c.dns().minRebuildInterval() + " must not be negative");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid mesh-dns configuration: " + String.join("; ", errors));
        }
        return new DnsSettings(zone, server, c.clusters().dir(), c.clusters().pollInterval(), remote,
                c.dns().minRebuildInterval());
    }

    private static ZoneSettings zone(String cluster, DnsConfig.Dns d, List<String> errors) {
        String apex = trimDot(d.zone());
        String ns = trimDot(d.nameserver().orElse("ns.dns." + apex));
        Duration ttl = d.ttl();
        require(errors, DnsNames.isName(apex), "mesh.dns.zone: '" + d.zone() + "' is not a DNS name");
        require(errors, DnsNames.isName(ns), "mesh.dns.nameserver: '" + ns + "' is not a DNS name");
        require(errors, !ttl.isNegative() && ttl.getNano() == 0 && ttl.getSeconds() <= Integer.MAX_VALUE,
                "mesh.dns.ttl: " + ttl + " is not a whole number of seconds in 0..2147483647");
        List<InetAddress> addresses = new ArrayList<>();
        for (String a : d.nameserverAddresses().orElse(List.of())) {
            IpAddresses.parse(a.trim()).ifPresentOrElse(addresses::add,
                    () -> errors.add("mesh.dns.nameserver-addresses: '" + a + "' is not an IP address"));
        }
        if (addresses.isEmpty() && DnsNames.inZone(ns, apex)) {
            addresses.addAll(nameserverAddresses(d.host()));
        }
        return errors.isEmpty() ? new ZoneSettings(apex, ttl, cluster, ns, addresses, d.importClusterRecords())
                : null;
    }

    /**
     * The glue for an in-zone nameserver without configured addresses, as CoreDNS finds its own: the listening
     * address when it is one, else the addresses of the interfaces that are up (loopback only when there is no
     * other), so the NS record always resolves.
     */
    static List<InetAddress> nameserverAddresses(String host) {
        Optional<InetAddress> bound = IpAddresses.parse(host.trim());
        if (bound.isPresent() && !bound.get().isAnyLocalAddress()) {
            return List.of(bound.get());
        }
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp() && !nif.isLoopback()) {
                    nif.inetAddresses().filter(a -> !a.isLinkLocalAddress()).forEach(out::add);
                }
            }
        } catch (SocketException e) {
            // No interface list (a restricted sandbox): loopback below still makes the NS resolvable here.
        }
        if (out.isEmpty()) {
            out.add(InetAddress.getLoopbackAddress());
        }
        out.sort(Comparator.comparing(a -> a.getAddress().length));
        return List.copyOf(out);
    }

    private static ServerSettings server(DnsConfig.Dns d, List<String> errors) {
        Optional<InetAddress> host = IpAddresses.parse(d.host().trim());
        int sockets = d.udpSockets().orElse(Math.min(64, Runtime.getRuntime().availableProcessors()));
        require(errors, host.isPresent(), "mesh.dns.host: '" + d.host() + "' is not an IP address");
        require(errors, d.port() >= 0 && d.port() <= 65535, "mesh.dns.port: " + d.port() + " is outside 0..65535");
        require(errors, sockets >= 1 && sockets <= 64, "mesh.dns.udp-sockets: " + sockets + " is outside 1..64");
        require(errors, d.udpPayloadMax() >= 512 && d.udpPayloadMax() <= 65535,
                "mesh.dns.udp-payload-max: " + d.udpPayloadMax() + " is outside 512..65535");
        require(errors, d.tcpIdleTimeout().compareTo(Duration.ZERO) > 0,
                "mesh.dns.tcp-idle-timeout: " + d.tcpIdleTimeout() + " must be positive");
        require(errors, d.tcpMaxConnections() >= 1,
                "mesh.dns.tcp-max-connections: " + d.tcpMaxConnections() + " must be positive");
        return errors.isEmpty() ? new ServerSettings(host.get(), d.port(), sockets, d.udpPayloadMax(),
                d.tcpIdleTimeout(), d.tcpMaxConnections()) : null;
    }

    private static void require(List<String> errors, boolean ok, String problem) {
        if (!ok) {
            errors.add(problem);
        }
    }

    private static String trimDot(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
