package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NftAdoptionTest {
    private static final LbFrontend WEB = new LbFrontend("10.11.0.10", Protocol.TCP, 80);
    private static final LbFrontend DNS = new LbFrontend("10.11.0.11", Protocol.UDP, 53);
    private static final LbFrontend GONE = new LbFrontend("10.11.0.12", Protocol.TCP, 80);
    private static final LbMaps WANT = NftRenderTest.maps("10.11.0.10:80/TCP -> 10.10.1.1:8080, 10.20.1.1:8080",
            "10.11.0.11:53/UDP -> ");

    /** {@code nft list map inet clustermesh services4} as nft 1.0.6 prints it. */
    private static String services4(String schema, String... elements) {
        String list = elements.length == 0 ? "" : "\t\telements = { " + String.join(",\n\t\t\t     ", elements) + " }\n";
        return "table inet clustermesh {\n\tmap services4 {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
                + "\t\tcomment \"clustermesh schema " + schema + "\"\n" + list + "\t}\n}\n";
    }

    private static String services6() {
        return "table inet clustermesh {\n\tmap services6 {\n\t\ttype ipv6_addr . inet_proto . inet_service : verdict\n"
                + "\t\tcomment \"clustermesh schema " + NftRender.schema() + "\"\n\t}\n}\n";
    }

    private static String element(NftFrontend f) {
        return NftRender.serviceElement(f);
    }

    private static NftFrontend want(LbFrontend f) {
        return NftablesDatapath.frontends(WANT).stream().filter(x -> x.frontend().equals(f)).findFirst().orElseThrow();
    }

    @Test
    void readsEveryFrontendWithItsCountAndDigest() {
        Map<LbFrontend, NftAdoption.Listed> listed = NftAdoption.parse(services4(NftRender.schema(),
                element(want(WEB)), element(want(DNS)), "10.11.0.12 . tcp . 80 comment \"00000000000000aa\" : goto lb4_tcp_3"),
                services6()).orElseThrow();

        assertThat(listed).containsOnlyKeys(WEB, DNS, GONE);
        assertThat(listed.get(WEB).count()).isEqualTo(2);
        assertThat(listed.get(WEB).digest()).isEqualTo(NftRender.digest(want(WEB)));
        assertThat(listed.get(DNS)).isEqualTo(new NftAdoption.Listed(NftFrontend.Family.V4, "udp", 0,
                NftRender.digest(want(DNS))));
        assertThat(listed.get(GONE).count()).isEqualTo(3);
        assertThat(NftAdoption.parse(services4(NftRender.schema()), services6())).contains(Map.of());
    }

    record Case(String name, String listing) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> notAdoptable() {
        String ok = "10.11.0.10 . tcp . 80 comment \"00000000000000aa\" : goto lb4_tcp_2";
        return Stream.of(
                new Case("another schema", services4("0123456789abcdef", ok)),
                new Case("no schema", services4(NftRender.schema(), ok).replace("clustermesh schema", "other")),
                new Case("an element without digest", services4(NftRender.schema(), ok,
                        "10.11.0.11 . tcp . 80 : goto lb4_tcp_2")),
                new Case("a chain of another protocol", services4(NftRender.schema(),
                        "10.11.0.11 . udp . 53 comment \"00000000000000aa\" : goto lb4_tcp_2")),
                new Case("a chain of another family", services4(NftRender.schema(),
                        "10.11.0.11 . tcp . 53 comment \"00000000000000aa\" : goto lb6_tcp_2")),
                new Case("a verdict the agent does not write", services4(NftRender.schema(), ok,
                        "10.11.0.11 . tcp . 80 comment \"00000000000000aa\" : accept")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notAdoptable")
    void aTableNotAsThisAgentWritesItIsNotAdopted(Case c) {
        assertThat(NftAdoption.parse(c.listing(), services6())).isEmpty();
    }

    @Test
    void frontendsWhoseDigestMatchesAreKeptAndTheOthersReplacedSlotBySlot() {
        Map<LbFrontend, NftAdoption.Listed> listed = NftAdoption.parse(services4(NftRender.schema(),
                // Same count, other targets: only the digest tells.
                "10.11.0.10 . tcp . 80 comment \"00000000000000aa\" : goto lb4_tcp_2", element(want(DNS)),
                "10.11.0.12 . tcp . 80 comment \"00000000000000bb\" : goto lb4_tcp_1"), services6()).orElseThrow();
        Map<LbFrontend, NftFrontend> want = new HashMap<>();
        NftablesDatapath.frontends(WANT).forEach(f -> want.put(f.frontend(), f));

        Map<LbFrontend, NftFrontend> assumed = NftAdoption.programmed(listed, want);
        assertThat(assumed.get(DNS)).isEqualTo(want.get(DNS));
        assertThat(assumed.get(WEB)).isNotEqualTo(want.get(WEB));
        Set<LbFrontend> candidates = new HashSet<>(assumed.keySet());
        candidates.addAll(want.keySet());
        NftDiff.Delta delta = NftDiff.diff(assumed, new HashSet<>(NftRender.chains(assumed.values())), candidates,
                f -> Optional.ofNullable(want.get(f)));

        assertThat(delta.updates()).containsOnlyKeys(WEB, GONE);
        assertThat(delta.statements()).containsExactly(
                "delete element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 0, 10.11.0.10 . 80 . 1, 10.11.0.12 . 80 . 0 }",
                "delete element inet clustermesh services4 { 10.11.0.10 . tcp . 80, 10.11.0.12 . tcp . 80 }",
                "add element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 0 : 10.10.1.1 . 8080,"
                        + " 10.11.0.10 . 80 . 1 : 10.20.1.1 . 8080 }",
                "add element inet clustermesh services4 { " + element(want(WEB)) + " }");
        assertThat(List.copyOf(delta.chains())).contains("lb4_tcp_2");
    }
}
