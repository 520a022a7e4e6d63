package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides single connections directly from the policies, and names the rule that decided: the reference semantics
 * for {@code meshctl policy explain} and for tests of {@link PolicyCompiler}'s program.
 *
 * <p>Per direction: a matching deny rule of any policy selecting the pod denies; otherwise a pod that no policy
 * enforcing that direction selects is allowed; otherwise a matching allow rule allows; otherwise default deny.
 * Policies and rules are tried in {@link PolicySet} order, so the rule named is deterministic.
 */
public final class PolicyEvaluator {
    private final Map<String, PolicySet> policies = new HashMap<>();
    private final MeshEndpoints mesh;
    private final PolicyOptions options;

    /**
     * @param policySets the policies of each cluster; a cluster without a set has no policy
     * @param mesh every known pod of every cluster
     */
    public PolicyEvaluator(Collection<PolicySet> policySets, MeshEndpoints mesh, PolicyOptions options) {
        policySets.forEach(s -> policies.put(s.cluster(), s));
        this.mesh = mesh;
        this.options = options;
    }

    /** Decides a connection from {@code source} to {@code destination} port {@code port}/{@code protocol}. */
    public Verdict check(InetAddress source, InetAddress destination, int port, Protocol protocol) {
        Optional<PolicyEndpoint> src = mesh.byIp(source);
        Optional<PolicyEndpoint> dst = mesh.byIp(destination);
        Decision egress = src.map(s -> decide(s, Direction.EGRESS, destination, port, protocol)).orElseGet(() ->
                new Decision(true, Optional.empty(), "source " + source.getHostAddress() + " ("
                        + Identities.describe(mesh.reservedIdentityOf(source)) + ") is not a pod: no egress policy"));
        Decision ingress = dst.map(d -> decide(d, Direction.INGRESS, source, port, protocol)).orElseGet(() ->
                new Decision(true, Optional.empty(), "destination " + destination.getHostAddress() + " ("
                        + Identities.describe(mesh.reservedIdentityOf(destination)) + ") is not a pod: no ingress policy"));
        return new Verdict(egress.allowed() && ingress.allowed(), egress, ingress);
    }

    /** {@link #check(InetAddress, InetAddress, int, Protocol)} between two pods. */
    public Verdict check(PolicyEndpoint source, PolicyEndpoint destination, int port, Protocol protocol) {
        return check(source.ip(), destination.ip(), port, protocol);
    }

    /**
     * Decides one direction for {@code pod}, whose peer is {@code peer} (the source for ingress, the destination
     * for egress), using the policies of the pod's own cluster.
     */
    public Decision decide(PolicyEndpoint pod, Direction direction, InetAddress peer, int port, Protocol protocol) {
        PolicySet set = policies.getOrDefault(pod.cluster(), PolicySet.empty(pod.cluster()));
        Optional<PolicyEndpoint> peerPod = mesh.byIp(peer);
        Map<String, NamedPort> destinationPorts = direction == Direction.INGRESS ? pod.namedPorts()
                : peerPod.map(PolicyEndpoint::namedPorts).orElse(Map.of());
        List<Rule> allows = new ArrayList<>();
        List<Rule> denies = new ArrayList<>();
        List<PolicyRef> enforcing = new ArrayList<>();
        for (Policy policy : set.applied()) {
            for (PolicySpec spec : policy.specs()) {
                if (!policy.selects(spec, pod, set.cluster())) {
                    continue;
                }
                if (spec.enforces(direction) && !enforcing.contains(policy.ref())) {
                    enforcing.add(policy.ref());
                }
                spec.rules().stream().filter(r -> r.direction() == direction)
                        .forEach(r -> (r.deny() ? denies : allows).add(r));
            }
        }
        for (Rule r : denies) {
            if (matches(r, set.cluster(), peer, peerPod, destinationPorts, port, protocol)) {
                return new Decision(false, Optional.of(r.ref()), "denied by " + r.ref());
            }
        }
        if (enforcing.isEmpty()) {
            return new Decision(true, Optional.empty(), "no policy isolates " + pod.name() + " for "
                    + direction.field() + ": allowed");
        }
        for (Rule r : allows) {
            if (matches(r, set.cluster(), peer, peerPod, destinationPorts, port, protocol)) {
                return new Decision(true, Optional.of(r.ref()), "allowed by " + r.ref());
            }
        }
        return new Decision(false, Optional.empty(), "default deny: " + pod.name() + " is selected for "
                + direction.field() + " by " + enforcing.stream().map(PolicyRef::toString).toList()
                + " and no rule allows " + peerName(peer, peerPod) + " on " + port + "/" + protocol);
    }

    private String peerName(InetAddress peer, Optional<PolicyEndpoint> peerPod) {
        return peerPod.map(PolicyEndpoint::name).orElseGet(() -> peer.getHostAddress() + " ("
                + Identities.describe(mesh.reservedIdentityOf(peer)) + ")");
    }

    private boolean matches(Rule rule, String cluster, InetAddress peer, Optional<PolicyEndpoint> peerPod,
                            Map<String, NamedPort> destinationPorts, int port, Protocol protocol) {
        boolean portOk = rule.ports().isEmpty()
                || rule.ports().stream().anyMatch(p -> p.matches(protocol, port, destinationPorts));
        if (!portOk) {
            return false;
        }
        if (rule.anyPeer()) {
            return true;
        }
        if (peerPod.isPresent()) {
            Map<String, String> labels = peerPod.get().selectionLabels();
            return rule.peers().stream().anyMatch(p -> p.selectsPod(labels, cluster, options));
        }
        boolean world = mesh.reservedIdentityOf(peer) == Identities.WORLD;
        return world && rule.peers().stream().anyMatch(p -> p.selectsWorld(peer));
    }
}
