package dev.clustermesh.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses the {@code spec} of a Kubernetes {@code networking.k8s.io/v1 NetworkPolicy}. */
final class NetworkPolicyParser {
    private static final Set<String> SPEC = Set.of("podSelector", "policyTypes", "ingress", "egress");
    private static final Set<String> INGRESS = Set.of("from", "ports");
    private static final Set<String> EGRESS = Set.of("to", "ports");
    private static final Set<String> PEER = Set.of("podSelector", "namespaceSelector", "ipBlock");
    private static final Set<String> IP_BLOCK = Set.of("cidr", "except");
    private static final Set<String> PORT = Set.of("protocol", "port", "endPort");

    private NetworkPolicyParser() {
    }

    static PolicySpec spec(ParseContext ctx, Map<String, Object> spec) {
        ctx.fields(spec, "spec", SPEC, Map.of());
        LabelSelector subject = SelectorParser.parse(ctx, spec.get("podSelector"), "spec.podSelector",
                SelectorParser.Keys.POD);
        List<Object> ingress = ctx.list(spec.get("ingress"), "spec.ingress");
        List<Object> egress = ctx.list(spec.get("egress"), "spec.egress");
        boolean enforcesIngress = true;
        boolean enforcesEgress = !egress.isEmpty();
        List<Object> types = ctx.list(spec.get("policyTypes"), "spec.policyTypes");
        // An empty or null list is as if it were absent, as the API server's defaulting treats it.
        if (!types.isEmpty()) {
            enforcesIngress = types.contains("Ingress");
            enforcesEgress = types.contains("Egress");
            for (int i = 0; i < types.size(); i++) {
                if (!"Ingress".equals(types.get(i)) && !"Egress".equals(types.get(i))) {
                    ctx.warn(ParseContext.at("spec.policyTypes", i), "'" + types.get(i) + "' is not Ingress or Egress");
                }
            }
        }
        List<Rule> rules = new ArrayList<>();
        // Rules of a direction that policyTypes leaves out are still validated, but Kubernetes ignores them.
        List<Rule> in = rules(ctx, ingress, Direction.INGRESS);
        List<Rule> out = rules(ctx, egress, Direction.EGRESS);
        if (enforcesIngress) {
            rules.addAll(in);
        }
        if (enforcesEgress) {
            rules.addAll(out);
        }
        return new PolicySpec(subject, enforcesIngress, enforcesEgress, rules);
    }

    private static List<Rule> rules(ParseContext ctx, List<Object> nodes, Direction direction) {
        List<Rule> rules = new ArrayList<>();
        String section = direction.field();
        String peersField = direction == Direction.INGRESS ? "from" : "to";
        for (int i = 0; i < nodes.size(); i++) {
            String path = ParseContext.at("spec." + section, i);
            Map<String, Object> r = ctx.object(nodes.get(i), path);
            if (r == null) {
                continue;
            }
            ctx.fields(r, path, direction == Direction.INGRESS ? INGRESS : EGRESS, Map.of());
            List<Object> peerNodes = ctx.list(r.get(peersField), path + "." + peersField);
            List<Peer> peers = new ArrayList<>();
            for (int j = 0; j < peerNodes.size(); j++) {
                Peer p = peer(ctx, peerNodes.get(j), ParseContext.at(path + "." + peersField, j));
                if (p != null) {
                    peers.add(p);
                }
            }
            List<PortRule> ports = ports(ctx, ctx.list(r.get("ports"), path + ".ports"), path + ".ports");
            rules.add(new Rule(new RuleRef(ctx.ref(), section, i), direction, false, peerNodes.isEmpty(), peers, ports));
        }
        return rules;
    }

    private static Peer peer(ParseContext ctx, Object node, String path) {
        Map<String, Object> m = ctx.object(node, path);
        if (m == null) {
            return null;
        }
        ctx.fields(m, path, PEER, Map.of());
        // A field written with no value (null) is unset, as in the Kubernetes API: it does not select everything.
        boolean pods = m.get("podSelector") != null;
        boolean namespaces = m.get("namespaceSelector") != null;
        if (m.get("ipBlock") != null) {
            if (pods || namespaces) {
                ctx.warn(path + ".ipBlock", "cannot be combined with podSelector or namespaceSelector in one peer");
            }
            Map<String, Object> b = ctx.object(m.get("ipBlock"), path + ".ipBlock");
            if (b == null) {
                return null;
            }
            ctx.fields(b, path + ".ipBlock", IP_BLOCK, Map.of());
            IpBlock block = RuleParts.block(ctx, b.get("cidr"), b.get("except"), path + ".ipBlock", "cidr", false);
            return block == null ? null : new Peer.Block(block);
        }
        if (!pods && !namespaces) {
            ctx.warn(path, "must name podSelector, namespaceSelector or ipBlock");
            return null;
        }
        LabelSelector selector = SelectorParser.parse(ctx, m.get("podSelector"), path + ".podSelector",
                SelectorParser.Keys.POD);
        if (namespaces) {
            LabelSelector ns = SelectorParser.parse(ctx, m.get("namespaceSelector"), path + ".namespaceSelector",
                    SelectorParser.Keys.NAMESPACE);
            return new Peer.Pods(selector.and(ns.requirements()));
        }
        return new Peer.Pods(selector.and(List.of(
                LabelSelector.Requirement.equal(PolicyEndpoint.NAMESPACE_LABEL, ctx.ref().namespace()))));
    }

    private static List<PortRule> ports(ParseContext ctx, List<Object> nodes, String path) {
        List<PortRule> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String p = ParseContext.at(path, i);
            Map<String, Object> m = ctx.object(nodes.get(i), p);
            if (m == null) {
                continue;
            }
            ctx.fields(m, p, PORT, Map.of());
            Object proto = m.getOrDefault("protocol", "TCP");
            Protocol protocol = proto instanceof String s ? Protocol.parse(s).orElse(null) : null;
            if (protocol == null) {
                ctx.warn(p + ".protocol", "'" + proto + "' is not TCP, UDP or SCTP");
                continue;
            }
            RuleParts.addPort(ctx, out, List.of(protocol), m.get("port"), m.get("endPort"), p, false);
        }
        return out;
    }
}
