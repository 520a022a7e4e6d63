package dev.clustermesh.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses one {@code spec} (or {@code specs[i]}) of a {@code cilium.io/v2 CiliumNetworkPolicy}, L3/L4 subset. */
final class CiliumPolicyParser {
    private static final Set<String> SPEC = Set.of("endpointSelector", "ingress", "egress", "ingressDeny",
            "egressDeny", "description", "labels", "enableDefaultDeny");
    private static final Map<String, String> SPEC_UNSUPPORTED = Map.of(
            "nodeSelector", "host policies (nodeSelector) are not supported");
    private static final Set<String> FROM = Set.of("fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities", "toPorts");
    private static final Set<String> TO = Set.of("toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toPorts");
    private static final String NOT_L3L4 = "is not supported (only the L3/L4 subset of CiliumNetworkPolicy is)";
    private static final Map<String, String> FROM_UNSUPPORTED = Map.of(
            "fromRequires", "fromRequires " + NOT_L3L4, "fromNodes", "fromNodes " + NOT_L3L4,
            "fromGroups", "fromGroups " + NOT_L3L4, "icmps", "ICMP rules " + NOT_L3L4,
            "authentication", "authentication " + NOT_L3L4);
    private static final Map<String, String> TO_UNSUPPORTED = Map.of(
            "toFQDNs", "DNS-based rules (toFQDNs) " + NOT_L3L4, "toServices", "toServices " + NOT_L3L4,
            "toRequires", "toRequires " + NOT_L3L4, "toNodes", "toNodes " + NOT_L3L4,
            "toGroups", "toGroups " + NOT_L3L4, "icmps", "ICMP rules " + NOT_L3L4,
            "authentication", "authentication " + NOT_L3L4);
    private static final Set<String> TO_PORTS = Set.of("ports");
    private static final Map<String, String> TO_PORTS_UNSUPPORTED = Map.of(
            "rules", "L7 rules (toPorts[].rules) " + NOT_L3L4, "serverNames", "serverNames " + NOT_L3L4,
            "listener", "listener " + NOT_L3L4, "originatingTLS", "originatingTLS " + NOT_L3L4,
            "terminatingTLS", "terminatingTLS " + NOT_L3L4);
    private static final Set<String> PORT = Set.of("port", "endPort", "protocol");
    private static final Set<String> CIDR_SET = Set.of("cidr", "except");
    private static final Map<String, String> CIDR_SET_UNSUPPORTED = Map.of(
            "cidrGroupRef", "CIDR groups " + NOT_L3L4, "cidrGroupSelector", "CIDR groups " + NOT_L3L4);
    private static final Set<String> DEFAULT_DENY = Set.of("ingress", "egress");

    private CiliumPolicyParser() {
    }

    /**
     * @param path {@code spec} or {@code specs[i]}
     */
    static PolicySpec spec(ParseContext ctx, Map<String, Object> spec, String path) {
        ctx.fields(spec, path, SPEC, SPEC_UNSUPPORTED);
        if (!spec.containsKey("endpointSelector")) {
            ctx.warn(path + ".endpointSelector", "is missing");
        }
        LabelSelector subject = SelectorParser.parse(ctx, spec.get("endpointSelector"), path + ".endpointSelector",
                SelectorParser.Keys.CILIUM);
        ctx.string(spec.get("description"), path + ".description");
        List<Rule> rules = new ArrayList<>();
        rules.addAll(rules(ctx, spec, path, "ingress", Direction.INGRESS, false));
        rules.addAll(rules(ctx, spec, path, "ingressDeny", Direction.INGRESS, true));
        rules.addAll(rules(ctx, spec, path, "egress", Direction.EGRESS, false));
        rules.addAll(rules(ctx, spec, path, "egressDeny", Direction.EGRESS, true));
        boolean ingress = rules.stream().anyMatch(r -> r.direction() == Direction.INGRESS);
        boolean egress = rules.stream().anyMatch(r -> r.direction() == Direction.EGRESS);
        Map<String, Object> dd = ctx.object(spec.get("enableDefaultDeny"), path + ".enableDefaultDeny");
        if (dd != null) {
            ctx.fields(dd, path + ".enableDefaultDeny", DEFAULT_DENY, Map.of());
            ingress = ctx.bool(dd.get("ingress"), path + ".enableDefaultDeny.ingress", ingress);
            egress = ctx.bool(dd.get("egress"), path + ".enableDefaultDeny.egress", egress);
        }
        return new PolicySpec(subject, ingress, egress, rules);
    }

    private static List<Rule> rules(ParseContext ctx, Map<String, Object> spec, String specPath, String section,
                                    Direction direction, boolean deny) {
        List<Object> nodes = ctx.list(spec.get(section), specPath + "." + section);
        String sectionName = specPath.equals("spec") ? section : specPath + "." + section;
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = ParseContext.at(specPath + "." + section, i);
            Map<String, Object> r = ctx.object(nodes.get(i), path);
            if (r != null) {
                rules.add(rule(ctx, r, path, new RuleRef(ctx.ref(), sectionName, i), direction, deny));
            }
        }
        return rules;
    }

    private static Rule rule(ParseContext ctx, Map<String, Object> r, String path, RuleRef ref, Direction direction,
                             boolean deny) {
        boolean in = direction == Direction.INGRESS;
        ctx.fields(r, path, in ? FROM : TO, in ? FROM_UNSUPPORTED : TO_UNSUPPORTED);
        String prefix = in ? "from" : "to";
        List<Peer> peers = new ArrayList<>();
        boolean anyL3 = false;
        for (String field : List.of("Endpoints", "CIDR", "CIDRSet", "Entities")) {
            String name = prefix + field;
            List<Object> items = ctx.list(r.get(name), path + "." + name);
            anyL3 |= !items.isEmpty();
            for (int j = 0; j < items.size(); j++) {
                Peer p = peer(ctx, field, items.get(j), ParseContext.at(path + "." + name, j));
                if (p != null) {
                    peers.add(p);
                }
            }
        }
        List<PortRule> ports = toPorts(ctx, ctx.list(r.get("toPorts"), path + ".toPorts"), path + ".toPorts");
        // Cilium: a rule with only toPorts allows every peer on those ports; a rule with neither matches nothing
        // (so "ingress: [{}]" is a default deny), and an empty or null list counts as absent.
        boolean anyPeer = !anyL3 && !ports.isEmpty();
        return new Rule(ref, direction, deny, anyPeer, peers, ports);
    }

    private static Peer peer(ParseContext ctx, String field, Object node, String path) {
        return switch (field) {
            case "Endpoints" -> {
                LabelSelector s = SelectorParser.parse(ctx, node, path, SelectorParser.Keys.CILIUM);
                // A namespaced CNP's endpoint peers stay in its namespace unless the selector names a namespace.
                yield new Peer.Pods(s.names(PolicyEndpoint.NAMESPACE_LABEL) ? s : s.and(List.of(
                        LabelSelector.Requirement.equal(PolicyEndpoint.NAMESPACE_LABEL, ctx.ref().namespace()))));
            }
            case "CIDR" -> {
                Cidr c = RuleParts.cidr(ctx, node, path, true);
                yield c == null ? null : new Peer.Block(new IpBlock(c, List.of()));
            }
            case "CIDRSet" -> {
                Map<String, Object> m = ctx.object(node, path);
                if (m == null) {
                    yield null;
                }
                ctx.fields(m, path, CIDR_SET, CIDR_SET_UNSUPPORTED);
                if (!m.containsKey("cidr")) {
                    if (m.keySet().stream().noneMatch(CIDR_SET_UNSUPPORTED::containsKey)) {
                        ctx.warn(path + ".cidr", "is missing");
                    }
                    yield null;
                }
                IpBlock b = RuleParts.block(ctx, m.get("cidr"), m.get("except"), path, "cidr", true);
                yield b == null ? null : new Peer.Block(b);
            }
            default -> entity(ctx, node, path);
        };
    }

    private static Peer entity(ParseContext ctx, Object node, String path) {
        String e = ctx.string(node, path);
        if ("cluster".equals(e)) {
            return Peer.Entity.CLUSTER;
        }
        if ("world".equals(e)) {
            return Peer.Entity.WORLD;
        }
        if (e != null) {
            ctx.warn(path, "entity '" + e + "' is not supported (only cluster and world)");
        }
        return null;
    }

    private static List<PortRule> toPorts(ParseContext ctx, List<Object> nodes, String path) {
        List<PortRule> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String p = ParseContext.at(path, i);
            Map<String, Object> m = ctx.object(nodes.get(i), p);
            if (m == null) {
                continue;
            }
            ctx.fields(m, p, TO_PORTS, TO_PORTS_UNSUPPORTED);
            List<Object> ports = ctx.list(m.get("ports"), p + ".ports");
            if (ports.isEmpty()) {
                List.of(Protocol.values()).forEach(proto -> out.add(PortRule.any(proto)));
            }
            for (int j = 0; j < ports.size(); j++) {
                String pp = ParseContext.at(p + ".ports", j);
                Map<String, Object> port = ctx.object(ports.get(j), pp);
                if (port == null) {
                    continue;
                }
                ctx.fields(port, pp, PORT, Map.of());
                Object proto = port.getOrDefault("protocol", "ANY");
                List<Protocol> protocols = "ANY".equals(proto) ? List.of(Protocol.values())
                        : proto instanceof String s ? Protocol.parse(s).map(List::of).orElse(null) : null;
                if (protocols == null) {
                    ctx.warn(pp + ".protocol", "'" + proto + "' is not TCP, UDP, SCTP or ANY");
                    continue;
                }
                RuleParts.addPort(ctx, out, protocols, port.get("port"), port.get("endPort"), pp, true);
            }
        }
        return out;
    }
}
