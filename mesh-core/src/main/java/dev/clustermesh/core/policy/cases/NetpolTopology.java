package dev.clustermesh.core.policy.cases;

import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.core.policy.Identities;
import dev.clustermesh.core.policy.MeshEndpoints;
import dev.clustermesh.core.policy.NamedPort;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The e2e netpol pods in each cluster: namespaces x, y, z (labels {@code ns=<name>} and {@code
 * kubernetes.io/metadata.name=<name>} unless overridden), pods a, b, c (label {@code pod=<name>}) serving 80 and 81
 * over TCP, UDP and SCTP with the named ports {@code serve-80-tcp} ... {@code serve-81-sctp}.
 *
 * <p>Cluster number i (1-based, in order) has cluster id i, pod CIDR {@code 10.i.0.0/16}, and pod n of namespace m
 * (both 1-based) has IP {@code 10.i.m.n}. Identities are allocated per cluster in pod order, one per distinct
 * label set, from {@link Identities#FIRST_LOCAL}.
 */
public record NetpolTopology(List<PolicyEndpoint> pods, List<Target> externals, List<Cidr> podCidrs) {
    public static final List<String> NAMESPACES = List.of("x", "y", "z");
    public static final List<String> PODS = List.of("a", "b", "c");

    public NetpolTopology {
        pods = List.copyOf(pods);
        externals = List.copyOf(externals);
        podCidrs = List.copyOf(podCidrs);
    }

    /**
     * @param clusters cluster names in id order
     * @param namespaceLabels cluster → namespace → labels replacing the default labels of that namespace
     * @param externals name → IP literal of addresses outside the mesh (outside 10.0.0.0/8 to be world)
     */
    public static NetpolTopology build(List<String> clusters, Map<String, Map<String, Map<String, String>>> namespaceLabels,
                                       Map<String, String> externals) {
        List<PolicyEndpoint> pods = new ArrayList<>();
        List<Cidr> cidrs = new ArrayList<>();
        for (int c = 0; c < clusters.size(); c++) {
            String cluster = clusters.get(c);
            int clusterId = c + 1;
            cidrs.add(Cidr.parse("10." + clusterId + ".0.0/16").orElseThrow());
            Map<Map<String, String>, Integer> identities = new HashMap<>();
            for (int n = 0; n < NAMESPACES.size(); n++) {
                String ns = NAMESPACES.get(n);
                Map<String, String> nsLabels = namespaceLabels.getOrDefault(cluster, Map.of())
                        .getOrDefault(ns, Map.of("ns", ns, "kubernetes.io/metadata.name", ns));
                for (int p = 0; p < PODS.size(); p++) {
                    Map<String, String> labels = Map.of("pod", PODS.get(p));
                    Map<String, String> sel = PolicyEndpoint.selectionLabels(cluster, ns, labels, nsLabels);
                    int id = identities.computeIfAbsent(sel,
                            k -> Identities.of(clusterId, Identities.FIRST_LOCAL + identities.size()));
                    InetAddress ip = ip("10." + clusterId + "." + (n + 1) + "." + (p + 1));
                    pods.add(new PolicyEndpoint(cluster, ns, PODS.get(p), ip, labels, nsLabels, servePorts(), id));
                }
            }
        }
        List<Target> ext = new ArrayList<>();
        externals.forEach((name, ip) -> ext.add(new Target(name, ip(ip), Optional.empty())));
        return new NetpolTopology(pods, ext, cidrs);
    }

    /** The named container ports every e2e pod declares. */
    public static Map<String, NamedPort> servePorts() {
        Map<String, NamedPort> ports = new LinkedHashMap<>();
        for (int port : new int[] {80, 81}) {
            for (Protocol p : Protocol.values()) {
                ports.put("serve-" + port + "-" + p.name().toLowerCase(Locale.ROOT), new NamedPort(port, p));
            }
        }
        return ports;
    }

    private static InetAddress ip(String text) {
        return IpAddresses.parse(text).orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not an IP"));
    }

    /** The pods and addresses the mesh knows. */
    public MeshEndpoints mesh() {
        return new MeshEndpoints(pods, podCidrs);
    }

    /** Every pod, then every external: the rows and columns of the matrix. */
    public List<Target> targets() {
        List<Target> out = new ArrayList<>();
        pods.forEach(p -> out.add(new Target(p.name(), p.ip(), Optional.of(p.cluster()))));
        out.addAll(externals);
        return out;
    }

    /** The pod named {@code cluster/ns/pod}. */
    public Optional<PolicyEndpoint> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
