package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.nftables.NftConntrack.Flow;
import dev.clustermesh.agent.datapath.nftables.PolicyCaseFiles.Compiled;
import dev.clustermesh.core.policy.EndpointProgram;
import dev.clustermesh.core.policy.Protocol;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strict mode's reading of {@code conntrack -L} and its judgement of each connection, pure. */
class NftConntrackTest {

    @Test
    void theClientIsTheOriginalSourceAndTheServerTheReplysSourceAfterDnat() throws Exception {
        String listing = """
                tcp      6 431999 ESTABLISHED src=10.1.1.2 dst=10.96.0.10 sport=40000 dport=80 src=10.1.2.3 dst=10.1.1.2 sport=8080 dport=40000 [ASSURED] mark=0 use=1
                udp      17 28 src=10.1.1.2 dst=10.1.1.3 sport=53000 dport=53 [UNREPLIED] src=10.1.1.3 dst=10.1.1.2 sport=53 dport=53000 mark=0 use=1
                icmp     1 29 src=10.1.1.2 dst=10.1.1.3 type=8 code=0 id=7 src=10.1.1.3 dst=10.1.1.2 type=0 code=0 id=7 mark=0 use=1
                sctp     132 3 ESTABLISHED src=10.1.1.2 dst=10.1.1.4 sport=5000 dport=9000 src=10.1.1.4 dst=10.1.1.2 sport=9000 dport=5000 [ASSURED] mark=0 use=1
                garbage
                """;
        List<Flow> flows = NftConntrack.parse(listing);
        assertThat(flows).hasSize(3);
        Flow dnat = flows.get(0);
        assertThat(dnat.protocol()).isEqualTo(Protocol.TCP);
        assertThat(dnat.client()).isEqualTo(InetAddress.getByName("10.1.1.2"));
        assertThat(dnat.server()).isEqualTo(InetAddress.getByName("10.1.2.3"));
        assertThat(dnat.port()).isEqualTo(8080);
        assertThat(dnat.deleteArgs()).containsExactly("-p", "tcp", "-s", "10.1.1.2", "-d", "10.96.0.10", "--sport",
                "40000", "--dport", "80");
        assertThat(flows.get(1).protocol()).isEqualTo(Protocol.UDP);
        assertThat(flows.get(2).protocol()).isEqualTo(Protocol.SCTP);
    }

    @Test
    void aConnectionIsCutWhenTheIngressOrTheEgressOfALocalPodDeniesIt() {
        Compiled c = PolicyCaseFiles.all().stream()
                .filter(x -> x.policyCase().name().equals("allow-from-pod-in-namespace/two-clusters"))
                .filter(x -> x.cluster().equals("c1")).findFirst().orElseThrow();
        EndpointProgram isolated = c.program().endpoints().stream()
                .filter(e -> e.ingress().enforced() && !e.ingress().allows().isEmpty()).findFirst().orElseThrow();
        List<Flow> flows = c.program().endpoints().stream().filter(e -> !e.equals(isolated))
                .map(e -> new Flow(Protocol.TCP, e.ip(), isolated.ip(), 80, List.of(), isolated.ip(), 80, "ESTABLISHED"))
                .toList();
        List<Flow> denied = NftConntrack.denied(flows, c.program());
        for (Flow f : flows) {
            boolean allowed = isolated.ingress().decide(c.program().identityOf(f.client()), f.client(), Protocol.TCP,
                    80).allowed();
            assertThat(denied.contains(f)).as("%s -> %s", f.client(), f.server()).isEqualTo(!allowed);
        }
        assertThat(denied).isNotEmpty().hasSizeLessThan(flows.size());
    }
}
