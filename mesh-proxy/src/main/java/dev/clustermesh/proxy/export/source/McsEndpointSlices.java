package dev.clustermesh.proxy.export.source;

import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The EndpointSlices of the imported services, as the MCS API has them in each importing cluster: per import,
 * exporting cluster (its own included) and address family, one slice with that cluster's backends, labelled
 * {@value #SERVICE_NAME} (the ServiceImport's name), {@value #SOURCE_CLUSTER} and
 * {@value #SLICE_MANAGED_BY}={@value #CONTROLLER} (so Kubernetes' EndpointSlice controller leaves them alone). What
 * consumers of ServiceImports (Gateway API implementations, MCS-aware DNS) read; the mesh's own agents and mesh-dns
 * read the mesh's etcd instead. Backends with several port sets get one slice per set, and a set of more than
 * {@value #MAX_ENDPOINTS} several; names carry a hash of service and cluster. Pure.
 */
final class McsEndpointSlices {
    static final String SERVICE_NAME = "multicluster.kubernetes.io/service-name";
    static final String SOURCE_CLUSTER = "multicluster.kubernetes.io/source-cluster";
    static final String SLICE_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    static final String CONTROLLER = "clustermesh-j.dev";
    /** Endpoints per slice at most, as Kubernetes' own controller cuts them (the API allows 1000). */
    static final int MAX_ENDPOINTS = 100;

    private McsEndpointSlices() {
    }

    /**
     * The slices {@code imports} call for, by {@code <namespace>/<name>}, each labelled {@code managedBy} too.
     *
     * @param constituents the exports of every cluster the imports are made of (others are ignored)
     */
    static Map<String, EndpointSlice> desired(Collection<ServiceImport> imports, Collection<ClusterService> constituents,
            Map<String, String> managedBy) {
        Map<String, ClusterService> byRef = new TreeMap<>();
        constituents.forEach(cs -> byRef.put(cs.getNamespace() + "/" + cs.getName() + "/" + cs.getCluster(), cs));
        Map<String, EndpointSlice> out = new TreeMap<>();
        for (ServiceImport i : imports) {
            for (String cluster : i.getClustersList()) {
                ClusterService cs = byRef.get(i.getNamespace() + "/" + i.getName() + "/" + cluster);
                if (cs != null) {
                    slices(i, cs, managedBy).forEach(s -> out.put(i.getNamespace() + "/" + s.getMetadata().getName(), s));
                }
            }
        }
        return out;
    }

    /** What two slices must agree on to need no write: family, labels of ours, ports and endpoints, in any order. */
    static String signature(EndpointSlice s) {
        Map<String, String> labels = new TreeMap<>();
        Map<String, String> l = s.getMetadata() == null || s.getMetadata().getLabels() == null ? Map.of()
                : s.getMetadata().getLabels();
        for (String k : List.of(SERVICE_NAME, SOURCE_CLUSTER, SLICE_MANAGED_BY)) {
            labels.put(k, l.get(k));
        }
        String ports = s.getPorts() == null ? "" : s.getPorts().stream().map(p -> Objects.requireNonNullElse(p.getName(),
                "") + "|" + p.getProtocol() + "|" + p.getPort()).sorted().collect(Collectors.joining(","));
        String endpoints = s.getEndpoints() == null ? "" : s.getEndpoints().stream().map(e -> e.getAddresses() + "|"
                + (e.getConditions() == null ? "" : e.getConditions().getReady() + "|" + e.getConditions().getServing()
                        + "|" + e.getConditions().getTerminating()) + "|" + e.getHostname() + "|" + e.getZone())
                .sorted().collect(Collectors.joining(","));
        return s.getAddressType() + ";" + labels + ";" + ports + ";" + endpoints;
    }

    private static List<EndpointSlice> slices(ServiceImport i, ClusterService cs, Map<String, String> managedBy) {
        // family + port set → backends
        Map<String, List<Backend>> groups = new TreeMap<>();
        for (Backend b : cs.getBackendsList()) {
            String family = IpAddresses.parse(b.getIp()).map(a -> a instanceof Inet6Address ? "IPv6" : "IPv4")
                    .orElse(null);
            if (family == null) {
                continue;
            }
            String ports = b.getPortsList().stream().map(p -> p.getName() + "|" + p.getProtocol() + "|" + p.getPort())
                    .sorted().collect(Collectors.joining(","));
            groups.computeIfAbsent(family + ";" + ports, k -> new ArrayList<>()).add(b);
        }
        List<EndpointSlice> out = new ArrayList<>();
        Map<String, Integer> perFamily = new TreeMap<>();
        // The hash keeps names of different (service, cluster) pairs apart: web-a from b and web from a-b.
        String base = i.getName() + "-" + cs.getCluster() + "-" + shortHash(i.getName() + "/" + cs.getCluster());
        groups.forEach((key, backends) -> {
            String family = key.substring(0, key.indexOf(';'));
            for (int from = 0; from < backends.size(); from += MAX_ENDPOINTS) {
                int n = perFamily.merge(family, 1, Integer::sum);
                String name = base + "-" + (family.equals("IPv6") ? "v6" : "v4") + (n > 1 ? "-" + n : "");
                Map<String, String> labels = new TreeMap<>(managedBy);
                labels.put(SERVICE_NAME, i.getName());
                labels.put(SOURCE_CLUSTER, cs.getCluster());
                labels.put(SLICE_MANAGED_BY, CONTROLLER);
                out.add(new EndpointSliceBuilder().withMetadata(new ObjectMetaBuilder().withName(name)
                        .withNamespace(i.getNamespace()).withLabels(labels).build()).withAddressType(family)
                        .withPorts(ports(backends.get(0))).withEndpoints(backends.subList(from,
                                Math.min(backends.size(), from + MAX_ENDPOINTS)).stream()
                                .map(McsEndpointSlices::endpoint).toList()).build());
            }
        });
        return out;
    }

    private static String shortHash(String text) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 3);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static List<EndpointPort> ports(Backend b) {
        List<EndpointPort> out = new ArrayList<>();
        for (Port p : b.getPortsList()) {
            out.add(new EndpointPortBuilder().withName(p.getName().isEmpty() ? null : p.getName())
                    .withProtocol(p.getProtocol().name()).withPort((int) p.getPort()).build());
        }
        return out;
    }

    private static Endpoint endpoint(Backend b) {
        boolean terminating = b.getState() == BackendState.BACKEND_STATE_TERMINATING;
        // A terminating backend is exported only when no longer ready: not serving new connections either.
        return new EndpointBuilder().withAddresses(b.getIp()).withNewConditions().withReady(!terminating)
                .withServing(!terminating).withTerminating(terminating).endConditions()
                .withHostname(b.getHostname().isEmpty() ? null : b.getHostname())
                .withZone(b.getZone().isEmpty() ? null : b.getZone()).build();
    }
}
