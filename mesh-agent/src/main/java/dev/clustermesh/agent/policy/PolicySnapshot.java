package dev.clustermesh.agent.policy;

import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.core.policy.Decision;
import dev.clustermesh.core.policy.Direction;
import dev.clustermesh.core.policy.MeshEndpoints;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.PolicyEvaluator;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.policy.PolicySet;
import dev.clustermesh.core.policy.Protocol;
import dev.clustermesh.core.policy.Verdict;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a {@link PolicyBook} knows at one instant (see {@link PolicyBook#snapshot()}): every endpoint of the mesh
 * that policy can select, why the others cannot be, and this cluster's policies as last compiled. Immutable; the
 * answers of {@code meshctl policy explain} and {@code meshctl endpoint list} come from here.
 *
 * <p>Only this cluster's policies are known to an agent: a direction decided in another cluster (egress of a remote
 * source, ingress of a remote destination) is reported as not known, never guessed.
 */
public final class PolicySnapshot {
    private final String cluster;
    private final MeshEndpoints mesh;
    private final Map<InetAddress, PolicyEndpoint> byIp = new HashMap<>();
    private final Map<String, List<PolicyEndpoint>> byName = new HashMap<>();
    /** Pods ({@code cluster/ns/pod}) exported without what policy needs, and why. */
    private final Map<String, String> unknown = new TreeMap<>();
    /** Clusters whose pods policy ignores, and why. */
    private final Map<String, String> refusedClusters = new TreeMap<>();
    private final PolicySet policies;
    private final PolicyOptions options;

    private PolicySnapshot(String cluster, List<PolicyEndpoint> known, List<Cidr> podCidrs, PolicySet policies,
            PolicyOptions options) {
        this.cluster = cluster;
        // IPv4 first: a dual-stack pod (one endpoint per address, both with its identity) is named by its IPv4 one.
        List<PolicyEndpoint> sorted = new ArrayList<>(known);
        sorted.sort(Comparator.comparing((PolicyEndpoint e) -> !(e.ip() instanceof Inet4Address))
                .thenComparing(e -> e.ip().getHostAddress()));
        this.mesh = new MeshEndpoints(sorted, podCidrs);
        sorted.forEach(e -> {
            byIp.putIfAbsent(e.ip(), e);
            byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e);
        });
        // Before the first program the set is PolicySet.empty(""): it still stands for this cluster.
        this.policies = policies.cluster().equals(cluster) ? policies : new PolicySet(cluster, policies.statuses());
        this.options = options;
    }

    /**
     * Builds a snapshot from the book's raw state (copied under its lock), leaving out what its compile leaves out:
     * endpoints without identity or address, and every pod of a cluster whose identity label filter differs.
     *
     * @param endpoints per cluster, IP to exported endpoint
     * @param filters per cluster, the digest of its identity label filter ({@code ""} when none)
     */
    static PolicySnapshot of(String cluster, Map<String, Map<String, Endpoint>> endpoints,
            Map<String, String> filters, List<Cidr> podCidrs, PolicySet policies, PolicyOptions options) {
        List<PolicyEndpoint> known = new ArrayList<>();
        Map<String, String> unknown = new TreeMap<>();
        Map<String, String> refused = new TreeMap<>();
        String ours = filters.getOrDefault(cluster, "");
        // The same rule as PolicyBook's compile: its identities stand for other label sets than ours.
        filters.forEach((c, digest) -> {
            if (!c.equals(cluster) && !ours.isEmpty() && !digest.isEmpty() && !digest.equals(ours)) {
                refused.put(c, "cluster " + c + "'s identity label filter differs from " + cluster
                        + "'s, so policy here does not know its pods");
            }
        });
        endpoints.forEach((c, ips) -> {
            if (refused.containsKey(c)) {
                return;
            }
            ips.forEach((ip, e) -> Endpoints.of(c, e).ifPresentOrElse(known::add, () -> unknown.put(
                    c + "/" + e.getNamespace() + "/" + e.getPod(), "its endpoint " + ip
                            + " has no identity or a bad address, so no policy selects it")));
        });
        PolicySnapshot s = new PolicySnapshot(cluster, known, podCidrs, policies, options);
        s.unknown.putAll(unknown);
        s.refusedClusters.putAll(refused);
        return s;
    }

    /** This agent's cluster. */
    public String cluster() {
        return cluster;
    }

    /** Every pod of the mesh that policy can select, IPv4 first, then by address. */
    public List<PolicyEndpoint> endpoints() {
        return mesh.endpoints();
    }

    /** The pod policy knows at {@code ip}. */
    public Optional<PolicyEndpoint> endpoint(InetAddress ip) {
        return Optional.ofNullable(byIp.get(ip));
    }

    /**
     * The pod {@code cluster/namespace/pod} as policy knows it (its IPv4 address when it has several).
     *
     * @throws UnknownPodException naming the pod and why policy does not know it
     */
    public PolicyEndpoint pod(String podCluster, String namespace, String pod) {
        String name = podCluster + "/" + namespace + "/" + pod;
        List<PolicyEndpoint> found = byName.get(name);
        if (found != null) {
            return found.get(0);
        }
        String why = refusedClusters.containsKey(podCluster) ? refusedClusters.get(podCluster)
                : unknown.containsKey(name) ? unknown.get(name)
                : endpoints().stream().anyMatch(e -> e.cluster().equals(podCluster))
                        ? "cluster " + podCluster + " exports no endpoint for it (no such pod, no IP yet, host network)"
                        : "no endpoint of cluster " + podCluster + " is known here (is it configured and connected?"
                                + " see meshctl status)";
        throw new UnknownPodException("pod " + name + " is not known to policy: " + why);
    }

    /**
     * Decides a connection from pod {@code from} to pod {@code to} on {@code port}/{@code protocol}, with this
     * cluster's policies, as its datapath does: egress where the source lives, ingress where the destination lives.
     * A direction that another cluster decides is not known here and not counted (see {@link PolicyExplanation}).
     *
     * @throws UnknownPodException naming the first pod policy does not know
     * @throws IllegalArgumentException for a port outside 1-65535
     */
    public PolicyExplanation explain(String fromCluster, String fromNs, String fromPod, String toCluster, String toNs,
            String toPod, int port, Protocol protocol) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 1-65535");
        }
        PolicyEndpoint source = pod(fromCluster, fromNs, fromPod);
        PolicyEndpoint destination = pod(toCluster, toNs, toPod);
        PolicyEvaluator evaluator = new PolicyEvaluator(List.of(policies), mesh, options);
        boolean egressKnown = source.cluster().equals(cluster);
        boolean ingressKnown = destination.cluster().equals(cluster);
        Decision egress = egressKnown
                ? evaluator.decide(source, Direction.EGRESS, destination.ip(), port, protocol)
                : notKnown(source, Direction.EGRESS);
        Decision ingress = ingressKnown
                ? evaluator.decide(destination, Direction.INGRESS, source.ip(), port, protocol)
                : notKnown(destination, Direction.INGRESS);
        return new PolicyExplanation(source, destination, port, protocol,
                new Verdict(egress.allowed() && ingress.allowed(), egress, ingress), egressKnown, ingressKnown);
    }

    private Decision notKnown(PolicyEndpoint pod, Direction direction) {
        // Allowed only in the sense that nothing known here denies it: PolicyExplanation says it is not known.
        return new Decision(true, Optional.empty(), direction.field() + " at " + pod.name() + " is decided by "
                + pod.cluster() + "'s own policies, which are not known to " + cluster + "'s agent (ask an agent of "
                + pod.cluster() + ")");
    }

    /** A pod that policy does not know: the message names it and says why. */
    public static final class UnknownPodException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownPodException(String message) {
            super(message);
        }
    }
}
