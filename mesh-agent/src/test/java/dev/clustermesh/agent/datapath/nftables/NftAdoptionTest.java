package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.HashMap;
import java.util.HashSet;
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
    private static final String OTHER = "10.11.0.12 . tcp . 80 comment \"1 00000000000000bb\"";

    /** {@code nft list set inet clustermesh digestsF} as nft 1.0.6 prints it. */
    private static String listing(String family, String schema, String... elements) {
        String list = elements.length == 0 ? "" : "\t\telements = { " + String.join(",\n\t\t\t     ", elements) + " }\n";
        return "table inet clustermesh {\n\tset digests" + family + " {\n\t\ttype ipv" + family
                + "_addr . inet_proto . inet_service\n\t\tcomment \"clustermesh schema " + schema + "\"\n" + list
                + "\t}\n}\n";
    }

    private static String digests4(String... elements) {
        return listing("4", NftDigests.schema(), elements);
    }

    private static String digests6() {
        return listing("6", NftDigests.schema());
    }

    private static NftFrontend want(LbFrontend f) {
        return NftablesDatapath.frontends(WANT).stream().filter(x -> x.frontend().equals(f)).findFirst().orElseThrow();
    }

    @Test
    void readsEveryFrontendWithItsCountAndDigest() {
        Map<LbFrontend, NftAdoption.Listed> listed = NftAdoption.parse(digests4(NftDigests.element(want(WEB)),
                NftDigests.element(want(DNS)), OTHER), digests6()).orElseThrow();

        assertThat(listed).containsOnlyKeys(WEB, DNS, GONE);
        assertThat(listed.get(WEB)).isEqualTo(new NftAdoption.Listed(NftFrontend.Family.V4, "tcp", 2,
                NftDigests.digest(want(WEB))));
        assertThat(listed.get(DNS)).isEqualTo(new NftAdoption.Listed(NftFrontend.Family.V4, "udp", 0,
                NftDigests.digest(want(DNS))));
        assertThat(listed.get(GONE).count()).isEqualTo(1);
        assertThat(NftAdoption.parse(digests4(), digests6())).contains(Map.of());
        assertThat(NftAdoption.parse(digests4(), listing("6", NftDigests.schema(),
                "fd00::10 . tcp . 443 comment \"3 00000000000000cc\""))).get()
                .isEqualTo(Map.of(new LbFrontend("fd00::10", Protocol.TCP, 443),
                        new NftAdoption.Listed(NftFrontend.Family.V6, "tcp", 3, "00000000000000cc")));
    }

    record Case(String name, String digests4) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> notAdoptable() {
        return Stream.of(
                new Case("another schema", listing("4", "0123456789abcdef", OTHER)),
                new Case("no schema", digests4(OTHER).replace("clustermesh schema", "other")),
                new Case("an element without comment", digests4(OTHER, "10.11.0.11 . tcp . 80")),
                new Case("a comment of another shape", digests4(OTHER, "10.11.0.11 . tcp . 80 comment \"hello\"")),
                new Case("an unknown protocol", digests4(OTHER, "10.11.0.11 . icmp . 80 comment \"1 00000000000000bb\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notAdoptable")
    void aTableNotAsThisAgentWritesItIsNotAdopted(Case c) {
        assertThat(NftAdoption.parse(c.digests4(), digests6())).isEmpty();
    }

    @Test
    void frontendsWhoseDigestMatchesAreKeptAndTheOthersReplacedSlotBySlot() {
        Map<LbFrontend, NftAdoption.Listed> listed = NftAdoption.parse(digests4(
                // Same count, other targets: only the digest tells.
                "10.11.0.10 . tcp . 80 comment \"2 00000000000000aa\"", NftDigests.element(want(DNS)), OTHER),
                digests6()).orElseThrow();
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
                "delete element inet clustermesh digests4 { 10.11.0.10 . tcp . 80, 10.11.0.12 . tcp . 80 }",
                "delete element inet clustermesh services4 { 10.11.0.12 . tcp . 80 }",
                "add element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 0 : 10.10.1.1 . 8080,"
                        + " 10.11.0.10 . 80 . 1 : 10.20.1.1 . 8080 }",
                "add element inet clustermesh digests4 { " + NftDigests.element(want(WEB)) + " }");
    }
}
