package dev.clustermesh.core.policy;

import static dev.clustermesh.core.policy.PolicyParserTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.cases.NetpolTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The program's shape: what a renderer relies on (see also {@link PolicyCasesTest} for its verdicts). */
class PolicyCompilerTest {
    private static final NetpolTopology TOPOLOGY = NetpolTopology.build(List.of("c1", "c2"), Map.of(), Map.of());
    private static final PolicySet POLICIES = PolicySet.parse("c1", List.of(yaml("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress, Egress]
              ingress:
              - from:
                - podSelector: {matchLabels: {pod: b, io.cilium.k8s.policy.cluster: c2}}
                - ipBlock: {cidr: 192.0.2.0/24, except: [192.0.2.128/25]}
                ports: [{port: 80, endPort: 81}]
              egress:
              - ports: [{port: serve-81-udp, protocol: UDP}]
            """)));

    @Test
    void entriesNamePeersByIdentityOrWorldCidrAndCarryTheRule() {
        PolicyProgram program = PolicyCompiler.compile(POLICIES, TOPOLOGY.mesh(), PolicyOptions.DEFAULTS);
        EndpointProgram a = program.endpoint(TOPOLOGY.pod("c1/x/a").orElseThrow().ip()).orElseThrow();
        int remoteB = TOPOLOGY.pod("c2/x/b").orElseThrow().identity();

        assertThat(program.endpoints()).hasSize(9);
        assertThat(a.ingress().enforced()).isTrue();
        assertThat(a.ingress().allows()).extracting(Object::toString).containsExactly(
                "identities [" + remoteB + "] x 80-81/TCP (NetworkPolicy x/p ingress[0])",
                "world cidrs [192.0.2.0/24 except [192.0.2.128/25]] x 80-81/TCP (NetworkPolicy x/p ingress[0])");
        assertThat(a.egress().allows()).singleElement().satisfies(e -> {
            assertThat(e.port()).isEqualTo(new PortMatch(Protocol.UDP, 81, 81));
            assertThat(((PeerMatch.IdentitySet) e.peer()).identities()).hasSize(18);
            assertThat(e.rule()).hasToString("NetworkPolicy x/p egress[0]");
        });
        assertThat(program.endpoint(TOPOLOGY.pod("c1/x/b").orElseThrow().ip()).orElseThrow().ingress().enforced())
                .isFalse();
        assertThat(remoteB >> 16).isEqualTo(2);
    }

    @Test
    void remotePodWithAnExistingIdentityChangesOnlyTheAddressMap() {
        PolicyProgram before = PolicyCompiler.compile(POLICIES, TOPOLOGY.mesh(), PolicyOptions.DEFAULTS);
        PolicyEndpoint b = TOPOLOGY.pod("c2/x/b").orElseThrow();
        List<PolicyEndpoint> pods = new ArrayList<>(TOPOLOGY.pods());
        pods.add(new PolicyEndpoint("c2", "x", "b-2", IpAddresses.parse("10.2.1.99").orElseThrow(), b.labels(),
                b.namespaceLabels(), b.namedPorts(), b.identity()));

        PolicyProgram after = PolicyCompiler.compile(POLICIES, new MeshEndpoints(pods, TOPOLOGY.podCidrs()),
                PolicyOptions.DEFAULTS);

        assertThat(after.endpoints()).isEqualTo(before.endpoints());
        assertThat(after.ipIdentities()).hasSize(before.ipIdentities().size() + 1)
                .containsEntry(IpAddresses.parse("10.2.1.99").orElseThrow(), b.identity());
    }

    @Test
    void unattributedAddressesAreUnknownInsidePodCidrsAndWorldOutside() {
        PolicyProgram program = PolicyCompiler.compile(POLICIES, TOPOLOGY.mesh(), PolicyOptions.DEFAULTS);

        assertThat(program.identityOf(IpAddresses.parse("10.2.200.1").orElseThrow())).isEqualTo(Identities.UNKNOWN);
        assertThat(program.identityOf(IpAddresses.parse("192.0.2.1").orElseThrow())).isEqualTo(Identities.WORLD);
        assertThat(program.identityOf(TOPOLOGY.pod("c2/y/c").orElseThrow().ip()))
                .isEqualTo(TOPOLOGY.pod("c2/y/c").orElseThrow().identity());
    }

    @Test
    void selectorMatchingNoKnownIdentityKeepsAnEmptySetEntry() {
        PolicySet set = PolicySet.parse("c1", List.of(yaml("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: future, namespace: x}
                spec:
                  endpointSelector: {}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: not-yet}}]
                """)));
        PolicyProgram program = PolicyCompiler.compile(set, TOPOLOGY.mesh(), PolicyOptions.DEFAULTS);

        assertThat(program.endpoints().get(0).ingress().allows()).singleElement()
                .satisfies(e -> assertThat(e.peer()).isEqualTo(new PeerMatch.IdentitySet(List.of())));
    }
}
