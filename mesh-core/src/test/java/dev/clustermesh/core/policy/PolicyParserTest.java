package dev.clustermesh.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Bad policies are refused with a warning naming the policy, the field path and the problem; nothing throws. */
class PolicyParserTest {
    private static final String NP = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            + "metadata: {name: p, namespace: x}\n";
    private static final String CNP = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
            + "metadata: {name: p, namespace: x}\n";

    record Bad(String what, String yaml, String path, String message) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Bad> badPolicies() {
        return Stream.of(
                new Bad("unknown spec field", NP + "spec: {podSelectr: {}}", "spec.podSelectr", "unknown field"),
                new Bad("unknown top-level field", NP + "spec: {}\nextra: 1", "extra", "unknown field"),
                new Bad("unknown peer field", NP + "spec: {ingress: [{from: [{podSelector: {}, serviceAccount: a}]}]}",
                        "spec.ingress[0].from[0].serviceAccount", "unknown field"),
                new Bad("prefix length out of range", NP + "spec: {ingress: [{from: [{podSelector: {}}, "
                        + "{ipBlock: {cidr: 10.0.0.0/33}}]}]}", "spec.ingress[0].from[1].ipBlock.cidr", "outside 0..32"),
                new Bad("cidr without an address", NP + "spec: {egress: [{to: [{ipBlock: {cidr: foo/8}}]}]}",
                        "spec.egress[0].to[0].ipBlock.cidr", "does not start with an IP address"),
                new Bad("cidr without prefix", NP + "spec: {egress: [{to: [{ipBlock: {cidr: 10.0.0.1}}]}]}",
                        "spec.egress[0].to[0].ipBlock.cidr", "is not a CIDR"),
                new Bad("except outside cidr", NP + "spec: {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, "
                        + "except: [10.1.0.0/24]}}]}]}", "spec.ingress[0].from[0].ipBlock.except[0]", "not strictly inside"),
                new Bad("except equal to cidr", NP + "spec: {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, "
                        + "except: [10.0.0.0/16]}}]}]}", "spec.ingress[0].from[0].ipBlock.except[0]", "not strictly inside"),
                new Bad("ipBlock with a selector", NP + "spec: {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, "
                        + "podSelector: {}}]}]}", "spec.ingress[0].from[0].ipBlock", "cannot be combined"),
                new Bad("empty peer", NP + "spec: {ingress: [{from: [{}]}]}", "spec.ingress[0].from[0]", "must name"),
                new Bad("port zero", NP + "spec: {ingress: [{ports: [{port: 0}]}]}", "spec.ingress[0].ports[0].port",
                        "not a port number"),
                new Bad("port too large", NP + "spec: {ingress: [{ports: [{port: 70000}]}]}",
                        "spec.ingress[0].ports[0].port", "not a port number"),
                new Bad("bad port name", NP + "spec: {ingress: [{ports: [{port: Serve_80}]}]}",
                        "spec.ingress[0].ports[0].port", "neither a port number nor a valid port name"),
                new Bad("endPort below port", NP + "spec: {ingress: [{ports: [{port: 90, endPort: 80}]}]}",
                        "spec.ingress[0].ports[0].endPort", "90..65535"),
                new Bad("endPort with a named port", NP + "spec: {ingress: [{ports: [{port: http, endPort: 90}]}]}",
                        "spec.ingress[0].ports[0].endPort", "named port"),
                new Bad("endPort without port", NP + "spec: {ingress: [{ports: [{endPort: 90}]}]}",
                        "spec.ingress[0].ports[0].endPort", "needs a numeric port"),
                new Bad("unknown protocol", NP + "spec: {egress: [{ports: [{protocol: ICMP, port: 1}]}]}",
                        "spec.egress[0].ports[0].protocol", "not TCP, UDP or SCTP"),
                new Bad("unknown policy type", NP + "spec: {policyTypes: [Ingress, Both]}", "spec.policyTypes[1]",
                        "not Ingress or Egress"),
                new Bad("unknown operator", NP + "spec: {podSelector: {matchExpressions: [{key: a, operator: Equals, "
                        + "values: [b]}]}}", "spec.podSelector.matchExpressions[0].operator", "'Equals' is not one of"),
                new Bad("In without values", NP + "spec: {ingress: [{from: [{namespaceSelector: {matchExpressions: "
                        + "[{key: a, operator: In}]}}]}]}", "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values",
                        "must not be empty"),
                new Bad("Exists with values", NP + "spec: {podSelector: {matchExpressions: [{key: a, operator: Exists, "
                        + "values: [b]}]}}", "spec.podSelector.matchExpressions[0].values", "must be empty"),
                new Bad("bad label value", NP + "spec: {podSelector: {matchLabels: {pod: 'a b'}}}",
                        "spec.podSelector.matchLabels.pod", "not a valid label value"),
                new Bad("bad label key", NP + "spec: {podSelector: {matchLabels: {-pod: a}}}",
                        "spec.podSelector.matchLabels.-pod", "not a valid label key"),
                new Bad("missing namespace", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                        + "metadata: {name: p}\nspec: {}", "metadata.namespace", "is missing"),
                new Bad("unsupported kind", "apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\n"
                        + "metadata: {name: p, namespace: x}\nspec: {}", "kind", "is not networking.k8s.io/v1"),
                new Bad("spec not an object", NP + "spec: nope", "spec", "must be an object"),
                new Bad("rules not a list", NP + "spec: {ingress: {from: []}}", "spec.ingress", "must be a list"),
                new Bad("L7 rules", CNP + "spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: '80'}], "
                        + "rules: {http: [{method: GET}]}}]}]}", "spec.ingress[0].toPorts[0].rules", "L7 rules"),
                new Bad("toFQDNs", CNP + "spec: {endpointSelector: {}, egress: [{toFQDNs: [{matchName: a.com}]}]}",
                        "spec.egress[0].toFQDNs", "toFQDNs"),
                new Bad("entity host", CNP + "spec: {endpointSelector: {}, ingress: [{fromEntities: [cluster, host]}]}",
                        "spec.ingress[0].fromEntities[1]", "entity 'host' is not supported"),
                new Bad("CNP port too large", CNP + "spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: "
                        + "[{port: '99999'}]}]}]}", "spec.ingress[0].toPorts[0].ports[0].port", "not a port number"),
                new Bad("CNP ICMP protocol", CNP + "spec: {endpointSelector: {}, egressDeny: [{toPorts: [{ports: "
                        + "[{port: '1', protocol: ICMP}]}]}]}", "spec.egressDeny[0].toPorts[0].ports[0].protocol", "ICMP"),
                new Bad("label source reserved", CNP + "spec: {endpointSelector: {}, ingress: [{fromEndpoints: "
                        + "[{matchLabels: {'reserved:host': ''}}]}]}", "spec.ingress[0].fromEndpoints[0].matchLabels.reserved:host",
                        "label source 'reserved'"),
                new Bad("missing endpointSelector", CNP + "spec: {ingress: [{}]}", "spec.endpointSelector", "is missing"),
                new Bad("nodeSelector", CNP + "spec: {nodeSelector: {}, ingress: [{}]}", "spec.nodeSelector",
                        "host policies"),
                new Bad("problem in specs[1]", CNP + "specs: [{endpointSelector: {}}, {endpointSelector: {}, "
                        + "ingress: [{fromCIDR: [10.0.0.0/40]}]}]", "specs[1].ingress[0].fromCIDR[0]", "outside 0..32"),
                new Bad("CIDR group", CNP + "spec: {endpointSelector: {}, ingress: [{fromCIDRSet: [{cidrGroupRef: g}]}]}",
                        "spec.ingress[0].fromCIDRSet[0].cidrGroupRef", "CIDR groups"),
                new Bad("CNP except outside", CNP + "spec: {endpointSelector: {}, egress: [{toCIDRSet: [{cidr: "
                        + "192.0.2.0/24, except: [198.51.100.0/25]}]}]}", "spec.egress[0].toCIDRSet[0].except[0]",
                        "not strictly inside"),
                new Bad("CNP without spec", CNP, "spec", "is missing"),
                new Bad("bad enableDefaultDeny", CNP + "spec: {endpointSelector: {}, enableDefaultDeny: {ingress: 'no'}}",
                        "spec.enableDefaultDeny.ingress", "true or false"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPolicies")
    void badPolicyIsRefusedWithANamedWarning(Bad bad) {
        PolicyStatus status = PolicyParser.parse(yaml(bad.yaml()));

        assertThat(status.state()).isEqualTo(PolicyStatus.State.REFUSED);
        assertThat(status.policy()).isEmpty();
        assertThat(status.warnings()).as(status.warnings().toString())
                .anySatisfy(w -> {
                    assertThat(w.path()).isEqualTo(bad.path());
                    assertThat(w.message()).contains(bad.message());
                })
                .allSatisfy(w -> assertThat(w.policy().name()).isEqualTo("p"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPolicies")
    void badPolicyLeavesTheOthersApplied(Bad bad) {
        Map<String, Object> good = yaml(NP.replace("name: p", "name: good") + "spec: {podSelector: {}}");
        PolicySet set = PolicySet.parse("c1", List.of(good, yaml(bad.yaml())));

        assertThat(set.applied()).extracting(p -> p.ref().name()).containsExactly("good");
        assertThat(set.warnings()).isNotEmpty();
    }

    @Test
    void warningNamesKindNamespaceNameAndPath() {
        PolicyStatus s = PolicyParser.parse(yaml(NP + "spec: {ingress: [{from: [{podSelector: {}}, "
                + "{ipBlock: {cidr: 10.0.0.0/33}}]}]}"));

        assertThat(s.warnings()).extracting(Object::toString).containsExactly(
                "NetworkPolicy x/p: spec.ingress[0].from[1].ipBlock.cidr: '10.0.0.0/33' has prefix length 33, outside 0..32");
    }

    @Test
    void neverThrowsWhateverShapeAnyFieldHas() {
        String[] sources = {
            NP + "spec: {podSelector: {matchLabels: {pod: a}, matchExpressions: [{key: k, operator: In, values: [v]}]},"
                + " policyTypes: [Ingress, Egress], ingress: [{from: [{podSelector: {}, namespaceSelector: {}},"
                + " {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 80, endPort: 90, protocol: TCP}]}],"
                + " egress: [{to: [{namespaceSelector: {}}], ports: [{port: http}]}]}",
            CNP + "specs: [{endpointSelector: {matchLabels: {'k8s:pod': a}}, ingress: [{fromEndpoints: [{}],"
                + " fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}], fromEntities: [world],"
                + " toPorts: [{ports: [{port: '80', endPort: 90, protocol: ANY}]}]}], egressDeny: [{toCIDR: [1.2.3.4]}],"
                + " enableDefaultDeny: {ingress: true}}]"};
        Object[] weird = {null, 1, "x", true, List.of(), Map.of(), List.of(1, "y"), Map.of("k", List.of())};
        int variants = 0;
        for (String source : sources) {
            for (List<Object> path : paths(yaml(source), new ArrayList<>())) {
                for (Object w : weird) {
                    Map<String, Object> copy = yaml(source);
                    replace(copy, path, w);
                    PolicyStatus s = PolicyParser.parse(copy);
                    assertThat(s.warnings().stream().noneMatch(x -> x.message().startsWith("could not be parsed")))
                            .as(path + " = " + w + ": " + s.warnings()).isTrue();
                    variants++;
                }
            }
        }
        assertThat(variants).isGreaterThan(300);
        assertThat(PolicyParser.parse(null).state()).isEqualTo(PolicyStatus.State.REFUSED);
    }

    @Test
    void goodPoliciesApplyWithTheirDefaults() {
        Policy np = PolicyParser.parse(yaml(NP + "spec: {egress: [{}]}")).policy().orElseThrow();
        assertThat(np.specs().get(0).enforcesIngress()).isTrue();
        assertThat(np.specs().get(0).enforcesEgress()).isTrue();

        Policy cnp = PolicyParser.parse(yaml(CNP + "spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: "
                + "[{port: '53'}]}]}]}")).policy().orElseThrow();
        Rule rule = cnp.specs().get(0).rules().get(0);
        assertThat(rule.anyPeer()).isTrue();
        assertThat(rule.ports()).extracting(PortRule::toString).containsExactly("53/TCP", "53/UDP", "53/SCTP");
        assertThat(rule.ref()).hasToString("CiliumNetworkPolicy x/p ingress[0]");
        assertThat(cnp.specs().get(0).enforcesEgress()).isFalse();
    }

    @Test
    void nullFieldsAreUnsetNotEverything() {
        PolicyStatus np = PolicyParser.parse(yaml(NP + "spec: {ingress: [{from: [{podSelector: {matchLabels: {pod: b}},"
                + " namespaceSelector: null}]}]}"));
        Peer peer = np.policy().orElseThrow().specs().get(0).rules().get(0).peers().get(0);
        assertThat(peer).hasToString("pods [pod in [b], io.kubernetes.pod.namespace in [x]]");

        assertThat(PolicyParser.parse(yaml(NP + "spec: {ingress: [{from: [{podSelector: null}]}]}")).warnings())
                .extracting(PolicyWarning::path).containsExactly("spec.ingress[0].from[0]");

        Rule cnp = PolicyParser.parse(yaml(CNP + "spec: {endpointSelector: {}, ingress: [{toPorts: null, "
                + "fromEndpoints: []}]}")).policy().orElseThrow().specs().get(0).rules().get(0);
        assertThat(cnp.anyPeer()).isFalse();
        assertThat(cnp.peers()).isEmpty();
    }

    private static List<List<Object>> paths(Object node, List<Object> prefix) {
        List<List<Object>> out = new ArrayList<>();
        if (!prefix.isEmpty()) {
            out.add(List.copyOf(prefix));
        }
        if (node instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                prefix.add(k);
                out.addAll(paths(m.get(k), prefix));
                prefix.remove(prefix.size() - 1);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                prefix.add(i);
                out.addAll(paths(l.get(i), prefix));
                prefix.remove(prefix.size() - 1);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void replace(Object root, List<Object> path, Object value) {
        Object node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            node = node instanceof Map<?, ?> m ? m.get(path.get(i)) : ((List<?>) node).get((Integer) path.get(i));
        }
        Object last = path.get(path.size() - 1);
        if (node instanceof Map<?, ?>) {
            ((Map<Object, Object>) node).put(last, value);
        } else {
            ((List<Object>) node).set((Integer) last, value);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String text) {
        Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        return new LinkedHashMap<>((Map<String, Object>) o);
    }
}
