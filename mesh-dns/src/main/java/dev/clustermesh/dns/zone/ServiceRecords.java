package dev.clustermesh.dns.zone;

import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The names of one global service {@code <svc>.<ns>.svc.<zone>} (MCS DNS specification 1.0.0 §2.2-2.4, plus
 * {@code <cluster>.<svc>.<ns>.svc.<zone>}).
 *
 * <p>Contributing clusters: the local cluster's service (shared or not) and every other cluster's shared one,
 * local first, then by cluster name. The local service, else the first, decides whether the global service is
 * headless.
 * <ul>
 * <li>Not headless: the service name holds the local ClusterIPs when the local cluster has the service; otherwise
 * the ClusterIPs of the clusters with at least one active backend, rotating. {@code <cluster>.<svc>} holds that
 * cluster's ClusterIPs. {@code _<port>._<proto>.<svc>} holds one SRV per named port, pointing at the service
 * name, while the service name has an address. When the service name holds remote ClusterIPs (no local
 * ClusterIP), each has a PTR record pointing back at the service name (§2.3.3); a local ClusterIP already has
 * one in its own cluster's DNS ({@code <svc>.<ns>.svc.cluster.local}), which mesh-dns does not contradict.
 * <li>Headless: the service name holds every active endpoint's IP (local ones first, the others rotating);
 * {@code <cluster>.<svc>} that cluster's; {@code <host>.<cluster>.<svc>} one endpoint's, where {@code host} is
 * the endpoint's hostname, or its IP with '-' for '.' and ':' when it has none; the SRV names hold one record per
 * endpoint, pointing at its host name with the endpoint's port of that name.
 * </ul>
 * A service the own cluster imports with a clusterset IP (Multi-Cluster Services API, type ClusterSetIP) follows the
 * MCS DNS specification instead: the service name holds the clusterset IPs, each with a PTR record, and one SRV
 * record per port pointing at itself; the SRV names of named ports point at it, and there is no {@code <cluster>.<svc>} name unless {@link ZoneSettings#importClusterRecords()}.
 * A name that exists without addresses (every backend gone) answers NODATA, never NXDOMAIN. A stale cluster
 * (see {@code Freshness}) keeps its own {@code <cluster>.<svc>} names but adds to the service name only when no
 * fresh cluster has an active backend, as the agents load-balance.
 */
final class ServiceRecords {
    private ServiceRecords() {
    }

    static void add(ZoneTable table, ZoneSettings s, ServiceName name, List<ClusterService> all,
            ServiceImport imported, Predicate<String> stale, Consumer<String> onSkipped) {
        if (!DnsNames.isLabel(name.name()) || !DnsNames.isLabel(name.namespace())) {
            onSkipped.accept("service " + name + ": namespace and name must be DNS labels");
            return;
        }
        List<ClusterService> contributing = contributing(s.localCluster(), all, onSkipped);
        if (contributing.isEmpty()) {
            return;
        }
        boolean freshActive = contributing.stream().anyMatch(cs -> !stale.test(cs.getCluster()) && hasActive(cs));
        Predicate<ClusterService> inServiceName = cs -> !freshActive || !stale.test(cs.getCluster());
        String base = name.name() + "." + name.namespace() + ".svc." + s.apex();
        if (DnsNames.wireLength(base) + 2 * 64 > DnsNames.MAX_WIRE_LENGTH) {
            onSkipped.accept("service " + name + ": its names would be longer than 255 octets");
            return;
        }
        table.touch(base);
        if (imported != null && imported.getType() == ImportType.CLUSTER_SET_IP && imported.getIpsCount() > 0) {
            clustersetIps(table, s, base, imported, contributing);
        } else if (contributing.get(0).getHeadless()) {
            headless(table, s, base, contributing, inServiceName);
        } else {
            clusterIps(table, s, base, contributing, inServiceName);
        }
    }

    private static List<ClusterService> contributing(String local, List<ClusterService> all, Consumer<String> skip) {
        List<ClusterService> out = new ArrayList<>();
        for (ClusterService cs : all) {
            boolean isLocal = cs.getCluster().equals(local);
            if (!isLocal && !cs.getShared()) {
                continue;
            }
            if (!DnsNames.isLabel(cs.getCluster())) {
                skip.accept("cluster '" + cs.getCluster() + "' of " + cs.getNamespace() + "/" + cs.getName()
                        + ": not a DNS label");
                continue;
            }
            out.add(cs);
        }
        out.sort(Comparator.comparing((ClusterService cs) -> !cs.getCluster().equals(local))
                .thenComparing(ClusterService::getCluster));
        return out;
    }

    private static void clusterIps(ZoneTable table, ZoneSettings s, String base, List<ClusterService> services,
            Predicate<ClusterService> inServiceName) {
        long ttl = s.ttlSeconds();
        ClusterService first = services.get(0);
        boolean localHasIp = first.getCluster().equals(s.localCluster()) && !first.getClusterIpsList().isEmpty();
        boolean any = false;
        for (ClusterService cs : services) {
            boolean local = cs == first && localHasIp;
            String clusterName = cs.getCluster() + "." + base;
            table.touch(clusterName);
            for (InetAddress ip : addresses(cs.getClusterIpsList())) {
                table.add(ResourceRecord.address(clusterName, ttl, ip), true);
                if (local || (!localHasIp && hasActive(cs) && inServiceName.test(cs))) {
                    table.add(ResourceRecord.address(base, ttl, ip), local);
                    any = true;
                }
                if (!localHasIp && hasActive(cs) && inServiceName.test(cs)) {
                    // MCS DNS §2.3.3: the clusterset IP's PTR. A local ClusterIP keeps its cluster DNS PTR.
                    table.addReverse(ResourceRecord.ptr(DnsNames.reverse(ip), ttl, base));
                }
            }
        }
        for (Port p : namedPorts(services)) {
            String srvName = srvName(p, base);
            table.touch(srvName);
            if (any) {
                table.add(ResourceRecord.srv(srvName, ttl, 0, 100, p.getPort(), base), true);
            }
        }
    }

    /** A ClusterSetIP import: the clusterset IPs (with PTRs), SRV to the service name, no cluster names by default. */
    private static void clustersetIps(ZoneTable table, ZoneSettings s, String base, ServiceImport imported,
            List<ClusterService> services) {
        long ttl = s.ttlSeconds();
        for (InetAddress ip : addresses(imported.getIpsList())) {
            table.add(ResourceRecord.address(base, ttl, ip), true);
            table.addReverse(ResourceRecord.ptr(DnsNames.reverse(ip), ttl, base));
        }
        if (s.importClusterRecords()) {
            for (ClusterService cs : services) {
                String clusterName = cs.getCluster() + "." + base;
                table.touch(clusterName);
                addresses(cs.getClusterIpsList()).forEach(ip -> table.add(ResourceRecord.address(clusterName, ttl, ip),
                        true));
            }
        }
        for (Port p : namedPorts(List.of(ClusterService.newBuilder().addAllPorts(imported.getPortsList()).build()))) {
            String srvName = srvName(p, base);
            table.touch(srvName);
            table.add(ResourceRecord.srv(srvName, ttl, 0, 100, p.getPort(), base), true);
        }
        // An SRV query of the service name itself answers every port (as CoreDNS does; the MCS conformance suite asks).
        imported.getPortsList().stream().mapToInt(Port::getPort).filter(port -> port > 0).distinct().sorted()
                .forEach(port -> table.add(ResourceRecord.srv(base, ttl, 0, 100, port, base), true));
    }

    private static void headless(ZoneTable table, ZoneSettings s, String base, List<ClusterService> services,
            Predicate<ClusterService> inServiceName) {
        long ttl = s.ttlSeconds();
        List<Port> ports = namedPorts(services);
        Map<String, List<Srv>> srvs = new LinkedHashMap<>();
        ports.forEach(p -> table.touch(srvName(p, base)));
        for (ClusterService cs : services) {
            boolean local = cs.getCluster().equals(s.localCluster());
            String clusterName = cs.getCluster() + "." + base;
            table.touch(clusterName);
            for (Backend b : sortedActive(cs)) {
                Optional<InetAddress> ip = IpAddresses.parse(b.getIp());
                if (ip.isEmpty()) {
                    continue;
                }
                String host = hostLabel(b) + "." + clusterName;
                table.add(ResourceRecord.address(clusterName, ttl, ip.get()), true);
                table.add(ResourceRecord.address(host, ttl, ip.get()), true);
                if (!inServiceName.test(cs)) {
                    continue;
                }
                table.add(ResourceRecord.address(base, ttl, ip.get()), local);
                for (Port p : ports) {
                    int port = backendPort(b, p).orElse(p.getPort());
                    srvs.computeIfAbsent(srvName(p, base), k -> new ArrayList<>()).add(new Srv(port, host));
                }
            }
        }
        srvs.forEach((srvName, list) -> {
            int weight = Math.max(1, 100 / list.size());
            for (Srv v : list) {
                table.add(ResourceRecord.srv(srvName, ttl, 0, weight, v.port, v.target), true);
            }
        });
    }

    private record Srv(int port, String target) {
    }

    private static boolean hasActive(ClusterService cs) {
        return cs.getBackendsList().stream().anyMatch(b -> b.getState() == BackendState.BACKEND_STATE_ACTIVE);
    }

    private static List<Backend> sortedActive(ClusterService cs) {
        return cs.getBackendsList().stream().filter(b -> b.getState() == BackendState.BACKEND_STATE_ACTIVE)
                .sorted(Comparator.comparing(Backend::getIp)).toList();
    }

    private static List<InetAddress> addresses(List<String> ips) {
        List<InetAddress> out = new ArrayList<>();
        for (String ip : ips) {
            IpAddresses.parse(ip).ifPresent(out::add);
        }
        return out;
    }

    /** Named ports with a protocol, the first cluster's number winning for each name and protocol. */
    private static List<Port> namedPorts(List<ClusterService> services) {
        Map<String, Port> out = new LinkedHashMap<>();
        for (ClusterService cs : services) {
            for (Port p : cs.getPortsList()) {
                String label = p.getName().toLowerCase(Locale.ROOT);
                if (DnsNames.isLabel(label) && protocol(p.getProtocol()) != null && p.getPort() > 0) {
                    out.putIfAbsent(label + "/" + p.getProtocol(), p.toBuilder().setName(label).build());
                }
            }
        }
        return List.copyOf(out.values());
    }

    private static String srvName(Port p, String base) {
        return "_" + p.getName() + "._" + protocol(p.getProtocol()) + "." + base;
    }

    private static String protocol(Protocol p) {
        return switch (p) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case SCTP -> "sctp";
            default -> null;
        };
    }

    private static Optional<Integer> backendPort(Backend b, Port servicePort) {
        for (Port p : b.getPortsList()) {
            if (p.getName().equalsIgnoreCase(servicePort.getName()) && p.getProtocol() == servicePort.getProtocol()
                    && p.getPort() > 0) {
                return Optional.of(p.getPort());
            }
        }
        return Optional.empty();
    }

    /** The endpoint's hostname when it is a DNS label, else its IP written as a label (dots and colons as '-'). */
    static String hostLabel(Backend b) {
        String h = b.getHostname().toLowerCase(Locale.ROOT);
        return DnsNames.isLabel(h) ? h : b.getIp().toLowerCase(Locale.ROOT).replace('.', '-').replace(':', '-');
    }
}
