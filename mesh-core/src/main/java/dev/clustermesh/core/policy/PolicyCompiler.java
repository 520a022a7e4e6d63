package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compiles the applied policies of one cluster into its {@link PolicyProgram}, a pure function of the policies, the
 * known pods of the mesh and the options. Agrees with {@link PolicyEvaluator} on every connection between known
 * pods and addresses (the tests check the whole e2e matrix).
 *
 * <p>Selectors become identity sets (pods sharing an identity share their selection labels); CIDR peers become CIDR
 * sets; ingress named ports resolve on the endpoint itself; egress named ports resolve per destination identity,
 * taking every number a pod of that identity gives the name.
 */
public final class PolicyCompiler {
    private final PolicySet set;
    private final MeshEndpoints mesh;
    private final PolicyOptions options;
    private final Map<Integer, Map<String, String>> identityLabels;
    /** label key → value → identities carrying it, for {@link #candidates}. */
    private final Map<String, Map<String, List<Integer>>> byLabel = new HashMap<>();
    // Peer sets and egress named ports do not depend on the subject endpoint: computed once per rule, so a compile
    // costs rules × identities plus endpoints × selected rules, not their product.
    private final Map<Rule, List<PeerMatch>> peersByRule = new IdentityHashMap<>();
    private final Map<Rule, Map<PortRule, List<ProgramEntry>>> namedEgressByRule = new IdentityHashMap<>();
    /** The identities each distinct peer selects: policies repeat selectors ("from the monitoring namespace"). */
    private final Map<Peer, List<Integer>> selectedBy = new HashMap<>();
    /** The applied policies by namespace, in their order: a policy's subjects are pods of its own namespace. */
    private final Map<String, List<Policy>> byNamespace = new HashMap<>();

    private PolicyCompiler(PolicySet set, MeshEndpoints mesh, PolicyOptions options) {
        this.set = set;
        this.mesh = mesh;
        this.options = options;
        this.identityLabels = mesh.identityLabels();
        identityLabels.forEach((id, labels) -> labels.forEach((k, v) ->
                byLabel.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(v, x -> new ArrayList<>()).add(id)));
        set.applied().forEach(p -> byNamespace.computeIfAbsent(p.ref().namespace(), x -> new ArrayList<>()).add(p));
    }

    /** The program for the local endpoints of {@code set.cluster()}. Never throws for a parsed policy set. */
    public static PolicyProgram compile(PolicySet set, MeshEndpoints mesh, PolicyOptions options) {
        return new PolicyCompiler(set, mesh, options).compile();
    }

    private PolicyProgram compile() {
        List<EndpointProgram> programs = new ArrayList<>();
        Map<InetAddress, Integer> ips = new HashMap<>();
        // A pod's program depends only on its selection labels (cluster, namespace and labels) and its named ports:
        // the replicas of a Deployment share one, computed once.
        // Keyed by what the selection labels are made of (the cluster is this one's): building those per pod would
        // cost more than the rest of the loop.
        Map<List<Object>, DirectionProgram[]> shared = new HashMap<>();
        for (PolicyEndpoint e : mesh.endpoints()) {
            ips.putIfAbsent(e.ip(), e.identity());
            if (e.cluster().equals(set.cluster())) {
                DirectionProgram[] d = shared.computeIfAbsent(List.of(e.namespace(), e.labels(), e.namespaceLabels(),
                        e.namedPorts()), k -> {
                            Map<String, String> labels = e.selectionLabels();
                            return new DirectionProgram[] {direction(e, labels, Direction.INGRESS),
                                direction(e, labels, Direction.EGRESS)};
                        });
                programs.add(new EndpointProgram(e.namespace(), e.pod(), e.ip(), e.identity(), d[0], d[1]));
            }
        }
        return new PolicyProgram(set.cluster(), programs, IpIdentityMap.owning(ips), mesh.podCidrs());
    }

    private DirectionProgram direction(PolicyEndpoint pod, Map<String, String> labels, Direction direction) {
        boolean enforced = false;
        List<ProgramEntry> allows = new ArrayList<>();
        List<ProgramEntry> denies = new ArrayList<>();
        for (Policy policy : byNamespace.getOrDefault(pod.namespace(), List.of())) {
            for (PolicySpec spec : policy.specs()) {
                if (!policy.selects(spec, pod, labels, set.cluster())) {
                    continue;
                }
                enforced |= spec.enforces(direction);
                for (Rule r : spec.rules()) {
                    if (r.direction() == direction) {
                        entries(pod, r, r.deny() ? denies : allows);
                    }
                }
            }
        }
        return new DirectionProgram(enforced, allows, denies);
    }

    private void entries(PolicyEndpoint pod, Rule rule, List<ProgramEntry> out) {
        List<PeerMatch> peers = peersByRule.computeIfAbsent(rule, this::peers);
        if (rule.ports().isEmpty()) {
            peers.forEach(p -> out.add(new ProgramEntry(rule.ref(), p, PortMatch.ANY)));
            return;
        }
        for (PortRule port : rule.ports()) {
            if (!port.isNamed()) {
                int first = port.port() == 0 ? 0 : port.port();
                int last = port.port() == 0 ? 65535 : port.endPort();
                peers.forEach(p -> out.add(new ProgramEntry(rule.ref(), p, new PortMatch(port.protocol(), first, last))));
            } else if (rule.direction() == Direction.INGRESS) {
                port.resolve(pod.namedPorts()).ifPresent(n -> peers.forEach(p -> out.add(
                        new ProgramEntry(rule.ref(), p, new PortMatch(port.protocol(), n, n)))));
            } else {
                out.addAll(namedEgressByRule.computeIfAbsent(rule, r -> new HashMap<>()).computeIfAbsent(port, n -> {
                    List<ProgramEntry> entries = new ArrayList<>();
                    peers.forEach(p -> namedEgress(rule.ref(), p, port, entries));
                    return entries;
                }));
            }
        }
    }

    /** Peer matches of a rule: any peer, or one identity set for its selectors and entities and one CIDR set. */
    private List<PeerMatch> peers(Rule rule) {
        if (rule.anyPeer()) {
            return List.of(PeerMatch.AnyPeer.INSTANCE);
        }
        List<PeerMatch> out = new ArrayList<>();
        List<Peer> byIdentity = rule.peers().stream().filter(p -> !(p instanceof Peer.Block)).toList();
        List<IpBlock> blocks = rule.peers().stream()
                .filter(p -> p instanceof Peer.Block).map(p -> ((Peer.Block) p).block()).toList();
        if (!byIdentity.isEmpty()) {
            Set<Integer> ids = new TreeSet<>();
            for (Peer p : byIdentity) {
                ids.addAll(selectedBy.computeIfAbsent(p, this::selected));
            }
            if (byIdentity.contains(Peer.Entity.WORLD)) {
                ids.add(Identities.WORLD);
            }
            out.add(new PeerMatch.IdentitySet(List.copyOf(ids)));
        }
        if (!blocks.isEmpty()) {
            out.add(new PeerMatch.CidrSet(blocks));
        }
        return out;
    }

    /** The identities of known pods {@code peer} selects. */
    private List<Integer> selected(Peer peer) {
        List<Integer> out = new ArrayList<>();
        for (int id : candidates(peer)) {
            if (peer.selectsPod(identityLabels.get(id), set.cluster(), options)) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * The identities that may match {@code peer}: those carrying a value its narrowest {@code In} requirement (or
     * the cluster entity) asks for, else all. Avoids testing every identity against every selector.
     */
    private Collection<Integer> candidates(Peer peer) {
        if (peer == Peer.Entity.CLUSTER) {
            return byLabel.getOrDefault(PolicyEndpoint.CLUSTER_LABEL, Map.of()).getOrDefault(set.cluster(), List.of());
        }
        Collection<Integer> narrowest = identityLabels.keySet();
        if (peer instanceof Peer.Pods pods) {
            for (LabelSelector.Requirement r : pods.selector().requirements()) {
                if (r.operator() == LabelSelector.Operator.IN) {
                    Map<String, List<Integer>> values = byLabel.getOrDefault(r.key(), Map.of());
                    List<Integer> carrying = new ArrayList<>();
                    r.values().forEach(v -> carrying.addAll(values.getOrDefault(v, List.of())));
                    if (carrying.size() < narrowest.size()) {
                        narrowest = carrying;
                    }
                }
            }
        }
        return narrowest;
    }

    /**
     * Egress to a named port: one entry per number the name resolves to, over the destination identities that give
     * it that number. World addresses declare no names, so CIDR peers yield nothing.
     */
    private void namedEgress(RuleRef ref, PeerMatch peer, PortRule port, List<ProgramEntry> out) {
        if (peer instanceof PeerMatch.CidrSet) {
            return;
        }
        Map<Integer, Set<Integer>> idsByNumber = new TreeMap<>();
        for (PolicyEndpoint e : mesh.endpoints()) {
            if (peer.matches(e.identity(), e.ip())) {
                port.resolve(e.namedPorts())
                        .ifPresent(n -> idsByNumber.computeIfAbsent(n, k -> new TreeSet<>()).add(e.identity()));
            }
        }
        idsByNumber.forEach((n, ids) -> out.add(new ProgramEntry(ref, new PeerMatch.IdentitySet(List.copyOf(ids)),
                new PortMatch(port.protocol(), n, n))));
    }
}
