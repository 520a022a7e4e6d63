package dev.clustermesh.core.policy;

import static dev.clustermesh.core.policy.PolicyParserTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.cases.NetpolTopology;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code explain}: the verdict names the rule or the reason that decided each direction. */
class PolicyEvaluatorTest {
    private static final NetpolTopology TOPOLOGY = NetpolTopology.build(List.of("c1", "c2"), Map.of(), Map.of());
    private static final List<Map<String, Object>> POLICIES = List.of(
            yaml("""
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: allow-b, namespace: x}
                    spec:
                      podSelector: {matchLabels: {pod: a}}
                      ingress:
                      - from: [{podSelector: {matchLabels: {pod: c}}}]
                      - from: [{podSelector: {matchLabels: {pod: b}}}]
                        ports: [{port: serve-80-tcp}]
                    """),
            yaml("""
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata: {name: deny-y, namespace: x}
                    specs:
                    - endpointSelector: {matchLabels: {pod: c}}
                    - endpointSelector: {matchLabels: {pod: b}}
                      enableDefaultDeny: {egress: false}
                      egressDeny:
                      - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": y}}]
                    """));

    record Case(String from, String to, int port, boolean allowed, String egress, String ingress) {
        @Override
        public String toString() {
            return from + " -> " + to + ":" + port;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("c1/x/b", "c1/x/a", 80, true, "no policy isolates c1/x/b for egress: allowed",
                        "allowed by NetworkPolicy x/allow-b ingress[1]"),
                new Case("c1/x/c", "c1/x/a", 81, true, "no policy isolates c1/x/c for egress: allowed",
                        "allowed by NetworkPolicy x/allow-b ingress[0]"),
                new Case("c1/x/b", "c1/x/a", 81, false, "no policy isolates c1/x/b for egress: allowed",
                        "default deny: c1/x/a is selected for ingress by [NetworkPolicy x/allow-b] and no rule allows "
                                + "c1/x/b on 81/TCP"),
                new Case("c2/x/b", "c1/x/a", 80, false, "no policy isolates c2/x/b for egress: allowed",
                        "default deny: c1/x/a is selected for ingress by [NetworkPolicy x/allow-b] and no rule allows "
                                + "c2/x/b on 80/TCP"),
                new Case("c1/x/b", "c1/y/a", 80, false, "denied by CiliumNetworkPolicy x/deny-y specs[1].egressDeny[0]",
                        "no policy isolates c1/y/a for ingress: allowed"),
                // The deny rule names namespace y without the cluster label: c2's y is not denied.
                new Case("c1/x/b", "c2/y/a", 80, true, "no policy isolates c1/x/b for egress: allowed",
                        "no policy isolates c2/y/a for ingress: allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void explainNamesTheDecidingRule(Case c) {
        PolicyEvaluator evaluator = new PolicyEvaluator(List.of(PolicySet.parse("c1", POLICIES)), TOPOLOGY.mesh(),
                PolicyOptions.DEFAULTS);
        Verdict v = evaluator.check(TOPOLOGY.pod(c.from()).orElseThrow(), TOPOLOGY.pod(c.to()).orElseThrow(), c.port(),
                Protocol.TCP);

        assertThat(v.allowed()).as(v.explain()).isEqualTo(c.allowed());
        assertThat(v.ingress().reason()).isEqualTo(c.ingress());
        assertThat(v.egress().reason()).isEqualTo(c.egress());
    }

    @Test
    void addressesOutsideTheMeshAreWorldOrUnknown() {
        PolicyEvaluator evaluator = new PolicyEvaluator(List.of(PolicySet.parse("c1", POLICIES)), TOPOLOGY.mesh(),
                PolicyOptions.DEFAULTS);
        PolicyEndpoint a = TOPOLOGY.pod("c1/x/a").orElseThrow();

        Verdict world = evaluator.check(IpAddresses.parse("192.0.2.1").orElseThrow(), a.ip(), 80, Protocol.TCP);
        Verdict unknown = evaluator.check(IpAddresses.parse("10.2.99.9").orElseThrow(), a.ip(), 80, Protocol.TCP);

        assertThat(world.egress().reason()).isEqualTo("source 192.0.2.1 (world) is not a pod: no egress policy");
        assertThat(unknown.egress().reason()).isEqualTo("source 10.2.99.9 (unknown) is not a pod: no egress policy");
        assertThat(unknown.ingress().reason()).endsWith("no rule allows 10.2.99.9 (unknown) on 80/TCP");
    }
}
