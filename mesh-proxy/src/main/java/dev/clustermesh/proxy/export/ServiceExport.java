package dev.clustermesh.proxy.export;

import dev.clustermesh.core.annotations.ServiceAnnotations;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.SliceEndpoint;
import dev.clustermesh.proxy.export.inventory.SliceObject;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Computes the value of one global service and the endpoints of its backends. Pure: no I/O, no clock; the
 * same input always gives the same output.
 */
final class ServiceExport {
    private static final Comparator<Port> PORT_ORDER = Comparator.comparing(Port::getName)
            .thenComparingInt(Port::getPort).thenComparingInt(Port::getProtocolValue);

    private ServiceExport() {
    }

    /**
     * The service's value. Its backends' pods are exported by {@link EndpointExport}, from the Pods themselves.
     *
     * @param slices the service's EndpointSlices, sorted by name
     * @param warn receives a message for each address, port or protocol left out or defaulted
     */
    static ClusterService compute(String cluster, ServiceObject svc, ServiceAnnotations settings, List<SliceObject> slices,
            Consumer<String> warn) {
        Map<String, Merged> byIp = backends(slices, warn);
        ClusterService.Builder b = ClusterService.newBuilder().setCluster(cluster)
                .setNamespace(svc.ref().namespace()).setName(svc.ref().name())
                .addAllClusterIps(svc.clusterIps()).addAllPorts(ports(svc.ports(), warn))
                .setHeadless(svc.headless()).setShared(settings.shared()).setAffinity(settings.affinity())
                .setResourceVersion(svc.resourceVersion())
                .setAffinityMinReady(settings.minReady().count())
                .setAffinityMinReadyPercent(settings.minReady().percent())
                .setKnownBackends(known(slices))
                .addAllClusterPreference(settings.clusterPreference())
                // The defaults (ClusterIP, None) stay empty, as the proto says: no bytes for every service.
                .setServiceType("ClusterIP".equals(svc.type()) ? "" : svc.type())
                .setSessionAffinity("None".equals(svc.sessionAffinity()) ? "" : svc.sessionAffinity())
                .setSessionAffinityTimeoutSeconds(svc.affinityTimeoutSeconds())
                .setInternalTrafficPolicy("Cluster".equals(svc.traffic().internalPolicy()) ? ""
                        : svc.traffic().internalPolicy())
                .setTrafficDistribution(svc.traffic().distribution());
        byIp.forEach((ip, m) -> b.addBackends(m.backend(ip)));
        return b.build();
    }

    /**
     * The state a slice endpoint is exported with: ready (or ready unknown) is active; terminating and not
     * ready is terminating; not ready and not terminating is not exported.
     */
    static Optional<BackendState> state(SliceEndpoint e) {
        if (e.ready() == null || e.ready()) {
            return Optional.of(BackendState.BACKEND_STATE_ACTIVE);
        }
        if (Boolean.TRUE.equals(e.terminating())) {
            return Optional.of(BackendState.BACKEND_STATE_TERMINATING);
        }
        return Optional.empty();
    }

    /**
     * How many backends the slices list that are not terminating, ready or not (distinct IP literals): what a
     * min-ready percent is taken of.
     */
    static int known(List<SliceObject> slices) {
        Set<String> ips = new HashSet<>();
        for (SliceObject slice : slices) {
            for (SliceEndpoint e : slice.endpoints()) {
                if (!Boolean.TRUE.equals(e.terminating())) {
                    e.addresses().stream().filter(IpAddresses::isLiteral).forEach(ips::add);
                }
            }
        }
        return ips.size();
    }

    /** Kubernetes protocol name to the mesh enum; null or empty means TCP, as in Kubernetes. */
    static Optional<Protocol> protocol(String name) {
        return switch (name == null ? "TCP" : name.toUpperCase(Locale.ROOT)) {
            case "", "TCP" -> Optional.of(Protocol.TCP);
            case "UDP" -> Optional.of(Protocol.UDP);
            case "SCTP" -> Optional.of(Protocol.SCTP);
            default -> Optional.empty();
        };
    }

    static List<Port> ports(List<PortSpec> specs, Consumer<String> warn) {
        List<Port> out = new ArrayList<>();
        for (PortSpec p : specs) {
            Optional<Protocol> proto = protocol(p.protocol());
            if (proto.isEmpty() || p.port() < 1 || p.port() > 65535) {
                warn.accept("port " + (p.name().isEmpty() ? "" : p.name() + " ") + p.port() + "/" + p.protocol()
                        + " is not a valid port; left out");
                continue;
            }
            out.add(Port.newBuilder().setName(p.name()).setProtocol(proto.get()).setPort(p.port()).build());
        }
        return out;
    }

    private static Map<String, Merged> backends(List<SliceObject> slices, Consumer<String> warn) {
        Map<String, Merged> byIp = new TreeMap<>();
        for (SliceObject slice : slices) {
            List<Port> ports = ports(slice.ports(), m -> warn.accept("EndpointSlice " + slice.ref() + ": " + m));
            for (SliceEndpoint e : slice.endpoints()) {
                Optional<BackendState> st = state(e);
                if (st.isEmpty()) {
                    continue;
                }
                for (String ip : e.addresses()) {
                    if (!IpAddresses.isLiteral(ip)) {
                        warn.accept("EndpointSlice " + slice.ref() + ": address '" + ip
                                + "' is not an IP literal; left out");
                        continue;
                    }
                    byIp.computeIfAbsent(ip, k -> new Merged()).add(st.get(), ports, e);
                }
            }
        }
        return byIp;
    }

    /**
     * One IP seen in one or more slices: the best state wins (active over terminating), ports are the union,
     * the first non-empty hostname, zone and node win (slices in name order).
     */
    private static final class Merged {
        private BackendState state = BackendState.BACKEND_STATE_TERMINATING;
        private final Set<Port> ports = new LinkedHashSet<>();
        private String hostname = "";
        private String zone = "";
        private String node = "";

        void add(BackendState s, List<Port> slicePorts, SliceEndpoint e) {
            if (s == BackendState.BACKEND_STATE_ACTIVE) {
                state = s;
            }
            ports.addAll(slicePorts);
            hostname = hostname.isEmpty() ? e.hostname() : hostname;
            zone = zone.isEmpty() ? e.zone() : zone;
            node = node.isEmpty() ? e.nodeName() : node;
        }

        Backend backend(String ip) {
            return Backend.newBuilder().setIp(ip).addAllPorts(ports.stream().sorted(PORT_ORDER).toList())
                    .setState(state).setHostname(hostname).setZone(zone).setNode(node).build();
        }
    }
}
