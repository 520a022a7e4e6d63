package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
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

    private PolicyCompiler(PolicySet set, MeshEndpoints mesh, PolicyOptions options) {
        this.set = set;
        this.mesh = mesh;
        this.options = options;
        this.identityLabels = new TreeMap<>(mesh.identityLabels());
    }

    /** The program for the local endpoints of {@code set.cluster()}. Never throws for a parsed policy set. */
    public static PolicyProgram compile(PolicySet set, MeshEndpoints mesh, PolicyOptions options) {
        return new PolicyCompiler(set, mesh, options).compile();
    }

    private PolicyProgram compile() {
        List<EndpointProgram> programs = new ArrayList<>();
        Map<InetAddress, Integer> ips = new HashMap<>();
        for (PolicyEndpoint e : mesh.endpoints()) {
            ips.putIfAbsent(e.ip(), e.identity());
            if (e.cluster().equals(set.cluster())) {
                programs.add(new EndpointProgram(e.namespace(), e.pod(), e.ip(), e.identity(),
                        direction(e, Direction.INGRESS), direction(e, Direction.EGRESS)));
            }
        }
        return new PolicyProgram(set.cluster(), programs, ips, mesh.podCidrs());
    }

    private DirectionProgram direction(PolicyEndpoint pod, Direction direction) {
        boolean enforced = false;
        List<ProgramEntry> allows = new ArrayList<>();
        List<ProgramEntry> denies = new ArrayList<>();
        for (Policy policy : set.applied()) {
            for (PolicySpec spec : policy.specs()) {
                if (!policy.selects(spec, pod, set.cluster())) {
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
        List<PeerMatch> peers = peers(rule);
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
                peers.forEach(p -> namedEgress(rule.ref(), p, port, out));
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
            identityLabels.forEach((id, labels) -> {
                if (byIdentity.stream().anyMatch(p -> p.selectsPod(labels, set.cluster(), options))) {
                    ids.add(id);
                }
            });
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
