package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DemoNetworkTest {
    private static final String PREFIX = DemoNetwork.prefix(Path.of("/tmp/clustermesh-demo"));

    record Case(String name, String actual, String expected) {
    }

    static Stream<Case> names() {
        return Stream.of(
                new Case("node namespace", DemoNetwork.nodeNs("cm0a1b2c", 1), "cm0a1b2c-c1n"),
                new Case("underlay bridge namespace (three clusters)", DemoNetwork.underlayNs("cm0a1b2c"), "cm0a1b2c-ul"),
                new Case("rebel-base pod", DemoNetwork.podNs("cm0a1b2c", 2, DemoLayout.SERVICE, 20), "cm0a1b2c-c2rb20"),
                new Case("x-wing pod", DemoNetwork.podNs("cm0a1b2c", 1, DemoLayout.CLIENT, 1), "cm0a1b2c-c1xw1"),
                new Case("pod link in the node", DemoNetwork.podLink(DemoLayout.SERVICE, 3), "rb3"),
                new Case("applied pod", DemoNetwork.podNsAt("cm0a1b2c", 2, "10.20.1.201"), "cm0a1b2c-c2p201"),
                new Case("applied pod's link", DemoNetwork.podLinkAt("10.20.1.201"), "p201"),
                new Case("host link", DemoNetwork.hostLink("cm0a1b2c", 2), "cm0a1b2ch2"),
                new Case("first host net", DemoNetwork.hostNetBase(0), "169.254.2.0"),
                new Case("last /30 below 169", DemoNetwork.hostNetBase(166 * 64 + 63), "169.254.168.252"),
                new Case("skips 169.254.169.0/24", DemoNetwork.hostNetBase(167 * 64), "169.254.170.0"),
                new Case("last host net", DemoNetwork.hostNetBase(DemoNetwork.HOST_NETS - 1), "169.254.254.252"),
                new Case("root side of cluster2", DemoNetwork.hostIp(10, 2), "169.254.2.45"),
                new Case("node side of cluster1", DemoNetwork.nodeHostIp(10, 1), "169.254.2.42"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void namesAndAddresses(Case c) {
        assertThat(c.actual()).as(c.name()).isEqualTo(c.expected());
    }

    @Test
    void upTakesTwoOrThreeClusters() {
        assertThat(new DemoRunner.UpOptions(3, 0, 0, DemoRunner.NFTABLES, DemoLaunch.PROCESS).clusters()).isEqualTo(3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DemoRunner.UpOptions(4, 0, 0,
                DemoRunner.NFTABLES, DemoLaunch.PROCESS)).hasMessage("--clusters must be 2 or 3, got 4");
    }

    @Test
    void prefixIsStablePerDirectoryAndLinkNamesFitTheKernelLimit() {
        assertThat(PREFIX).matches("cm[0-9a-f]{6}").isEqualTo(DemoNetwork.prefix(Path.of("/tmp/./clustermesh-demo")));
        assertThat(DemoNetwork.prefix(Path.of("/tmp/other-demo"))).isNotEqualTo(PREFIX);
        assertThat(DemoNetwork.hostLink(PREFIX, 2)).hasSizeLessThanOrEqualTo(15);
        assertThat(DemoNetwork.podNs(PREFIX, 2, DemoLayout.SERVICE, 20)).hasSizeLessThanOrEqualTo(15);
        assertThat(DemoNetwork.podNsAt(PREFIX, 2, "10.20.1.254")).hasSizeLessThanOrEqualTo(15);
        int first = DemoNetwork.firstHostNet(PREFIX);
        assertThat(first % 2).isZero();
        assertThat(first + 1).isLessThan(DemoNetwork.HOST_NETS);
    }

    @Test
    void hostNetsNeverOverlapThePodGatewayNorEachOther() {
        Set<String> seen = new HashSet<>();
        for (int n = 0; n < DemoNetwork.HOST_NETS; n++) {
            String base = DemoNetwork.hostNetBase(n);
            assertThat(base).doesNotStartWith("169.254.1.").doesNotStartWith("169.254.169.")
                    .doesNotStartWith("169.254.255.");
            assertThat(seen.add(base)).as("%s used twice", base).isTrue();
        }
    }

    @Test
    void dnsRulesRedirectTheGatewayToMeshDnsInTheDemosOwnTable() {
        assertThat(DemoNetwork.dnsRules("169.254.2.1", 5353).lines().map(String::strip).toList())
                .containsSubsequence("table ip meshdemo {",
                        "type nat hook prerouting priority dstnat; policy accept;",
                        "ip daddr 169.254.1.1 udp dport 53 dnat to 169.254.2.1:5353",
                        "ip daddr 169.254.1.1 tcp dport 53 dnat to 169.254.2.1:5353",
                        "type nat hook postrouting priority srcnat; policy accept;",
                        "oifname \"host0\" masquerade")
                .noneMatch(l -> l.contains("clustermesh"));
        assertThat(DemoNetwork.resolvConf().lines().toList())
                .contains("nameserver 169.254.1.1", "search default.svc.clusterset.local svc.clusterset.local");
    }

    record AddressCase(int cluster, String ip, boolean free) {
    }

    static Stream<AddressCase> addresses() {
        return Stream.of(new AddressCase(2, "10.20.1.201", true), new AddressCase(2, "10.20.1.2", true),
                new AddressCase(2, "10.20.1.31", true), new AddressCase(2, "10.20.1.254", true),
                new AddressCase(2, "10.20.1.11", false), new AddressCase(2, "10.20.1.30", false),
                new AddressCase(2, "10.20.1.101", false), new AddressCase(2, "10.20.1.120", false),
                new AddressCase(2, "10.20.1.1", false), new AddressCase(2, "10.20.1.255", false),
                new AddressCase(1, "10.20.1.201", false), new AddressCase(2, "10.20.2.201", false),
                new AddressCase(2, "10.20.1.2011", false), new AddressCase(2, "", false),
                new AddressCase(2, null, false));
    }

    @ParameterizedTest(name = "cluster{0} {1}: {2}")
    @MethodSource("addresses")
    void appliedPodsGetANamespaceOnlyForFreeAddressesOfTheirNode(AddressCase c) {
        assertThat(DemoLayout.freePodAddress(c.cluster(), c.ip())).isEqualTo(c.free());
    }

    @Test
    void unknownDeploymentIsRefused() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> DemoNetwork.podNs(PREFIX, 1, "tie-fighter", 1))
                .withMessageContaining("tie-fighter");
        assertThat(List.of(DemoLayout.SERVICE, DemoLayout.CLIENT)).allMatch(d -> !DemoNetwork.podLink(d, 1).isEmpty());
    }
}
