package dev.clustermesh.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.core.policy.Identities;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.policy.Protocol;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.IdentityLabelFilter;
import dev.clustermesh.testing.Eventually;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PolicyBook#snapshot()}: explanations decided by this cluster's policies with the deciding rule named, the
 * directions another cluster decides reported as not known, and pods policy does not know named with the reason.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PolicySnapshotTest {
    private static final String ALLOW_B_TO_A = """
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow-b","namespace":"x"},
             "spec":{"podSelector":{"matchLabels":{"pod":"a"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"pod":"b"}}}],
                     "ports":[{"port":80,"protocol":"TCP"}]}]}}
            """;
    private static final String DENY_C_EGRESS = """
            {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"deny-c","namespace":"x"},
             "spec":{"endpointSelector":{"matchLabels":{"pod":"c"}},"egressDeny":[{"toEndpoints":[{}]}]}}
            """;
    private static PolicyBook book;

    @BeforeAll
    static void feed() {
        book = new PolicyBook("c1", PolicyOptions.DEFAULTS, new PolicyDatapath.Memory(), () -> true, Duration.ZERO);
        book.start();
        book.configChanged("c1", config("c1", 1, "10.1.0.0/16", "f1"));
        book.configChanged("c2", config("c2", 2, "10.2.0.0/16", "f1"));
        book.configChanged("c3", config("c3", 3, "10.3.0.0/16", "other"));
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "a", "10.1.1.1", 256));
        book.endpointChanged("c1", "10.1.1.2", pod("c1", 1, "b", "10.1.1.2", 257));
        book.endpointChanged("c1", "10.1.1.3", pod("c1", 1, "c", "10.1.1.3", 258));
        book.endpointChanged("c1", "10.1.1.9", pod("c1", 1, "noid", "10.1.1.9", 259).toBuilder().setIdentity(0).build());
        book.endpointChanged("c2", "10.2.1.2", pod("c2", 2, "b", "10.2.1.2", 256));
        book.endpointChanged("c3", "10.3.1.2", pod("c3", 3, "b", "10.3.1.2", 256));
        book.policyChanged("c1", new MeshKey.Policy("c1", PolicyKind.NETWORK_POLICY, "x", "allow-b"), ALLOW_B_TO_A);
        book.policyChanged("c1", new MeshKey.Policy("c1", PolicyKind.CILIUM_NETWORK_POLICY, "x", "deny-c"),
                DENY_C_EGRESS);
        Eventually.await(Duration.ofSeconds(10), () -> assertThat(book.state().policies().applied()).hasSize(2));
    }

    @AfterAll
    static void close() {
        book.close();
    }

    record Case(String name, String from, String to, int port, boolean allowed, boolean complete, String egress,
                String ingress) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("local pods, allowed by the rule", "c1/x/b", "c1/x/a", 80, true, true,
                        "no policy isolates c1/x/b for egress", "allowed by NetworkPolicy x/allow-b ingress[0]"),
                new Case("local pods, another port: default deny", "c1/x/b", "c1/x/a", 81, false, true,
                        "no policy isolates", "default deny: c1/x/a is selected for ingress by [NetworkPolicy x/allow-b]"),
                new Case("a deny rule at the source", "c1/x/c", "c1/x/b", 80, false, true,
                        "denied by CiliumNetworkPolicy x/deny-c egressDeny[0]", "no policy isolates c1/x/b"),
                new Case("remote source: its egress is not known here", "c2/x/b", "c1/x/a", 80, false, false,
                        "egress at c2/x/b is decided by c2's own policies", "default deny"),
                new Case("remote destination: its ingress is not known here", "c1/x/b", "c2/x/b", 80, true, false,
                        "no policy isolates c1/x/b", "ingress at c2/x/b is decided by c2's own policies"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void explainsWhatThisClusterDecides(Case c) {
        String[] f = c.from().split("/");
        String[] t = c.to().split("/");
        PolicyExplanation x = book.snapshot().explain(f[0], f[1], f[2], t[0], t[1], t[2], c.port(), Protocol.TCP);
        assertThat(x.verdict().allowed()).as("allowed").isEqualTo(c.allowed());
        assertThat(x.complete()).as("complete").isEqualTo(c.complete());
        assertThat(x.verdict().egress().reason()).contains(c.egress());
        assertThat(x.verdict().ingress().reason()).contains(c.ingress());
    }

    @Test
    void theDecidingRuleIsNamed() {
        PolicyExplanation x = book.snapshot().explain("c1", "x", "b", "c1", "x", "a", 80, Protocol.TCP);
        assertThat(x.verdict().ingress().rule()).hasValueSatisfying(r -> {
            assertThat(r.policy().name()).isEqualTo("allow-b");
            assertThat(r.section()).isEqualTo("ingress");
        });
        assertThat(x.source().ip().getHostAddress()).isEqualTo("10.1.1.2");
    }

    @Test
    void podsPolicyDoesNotKnowAreNamedWithTheReason() {
        PolicySnapshot s = book.snapshot();
        assertThatThrownBy(() -> s.explain("c1", "x", "zz", "c1", "x", "a", 80, Protocol.TCP))
                .isInstanceOf(PolicySnapshot.UnknownPodException.class)
                .hasMessageContaining("pod c1/x/zz is not known to policy").hasMessageContaining("no endpoint for it");
        assertThatThrownBy(() -> s.explain("c1", "x", "a", "c9", "x", "a", 80, Protocol.TCP))
                .hasMessageContaining("pod c9/x/a").hasMessageContaining("no endpoint of cluster c9 is known here");
        assertThatThrownBy(() -> s.explain("c1", "x", "noid", "c1", "x", "a", 80, Protocol.TCP))
                .hasMessageContaining("pod c1/x/noid").hasMessageContaining("no identity");
        assertThatThrownBy(() -> s.explain("c3", "x", "b", "c1", "x", "a", 80, Protocol.TCP))
                .hasMessageContaining("pod c3/x/b").hasMessageContaining("identity label filter differs");
        assertThatThrownBy(() -> s.explain("c1", "x", "b", "c1", "x", "a", 0, Protocol.TCP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port 0");
    }

    @Test
    void theSnapshotHoldsTheLabelsOfEveryPodPolicyKnows() {
        PolicySnapshot s = book.snapshot();
        assertThat(s.endpoints()).extracting(e -> e.name()).containsExactly("c1/x/a", "c1/x/b", "c1/x/c", "c2/x/b");
        assertThat(s.endpoint(ip("10.1.1.1"))).hasValueSatisfying(e -> assertThat(e.labels()).containsEntry("pod", "a"));
    }

    private static ClusterConfig config(String name, int id, String podCidr, String filterDigest) {
        return ClusterConfig.newBuilder().setName(name).setId(id).addPodCidrs(podCidr)
                .setIdentityLabelFilter(IdentityLabelFilter.newBuilder().setDigest(filterDigest)).build();
    }

    private static Endpoint pod(String cluster, int clusterId, String pod, String ip, int local) {
        return Endpoint.newBuilder().setCluster(cluster).setNamespace("x").setPod(pod).setIp(ip)
                .putAllLabels(Map.of("pod", pod)).putNamespaceLabels("ns", "x")
                .setIdentity(Identities.of(clusterId, local)).build();
    }

    private static java.net.InetAddress ip(String text) {
        return dev.clustermesh.core.net.IpAddresses.parse(text).orElseThrow();
    }
}
