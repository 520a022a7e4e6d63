package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NftDiffTest {

    record Case(String name, List<String> before, List<String> after, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String svc = "10.11.0.10:80/TCP -> ";
        return Stream.of(
                new Case("nothing changed", List.of(svc + "10.0.0.1:8080"), List.of(svc + "10.0.0.1:8080"), ""),
                new Case("new frontend: its chain, slots, then the verdict", List.of(),
                        List.of(svc + "10.0.0.1:8080, 10.0.0.2:8080"), """
                        add chain inet clustermesh lb4_tcp_2
                        flush chain inet clustermesh lb4_tcp_2
                        add rule inet clustermesh lb4_tcp_2 meta l4proto tcp dnat ip to ip daddr . tcp dport . numgen random mod 2 map @backends4_tcp
                        add element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 0 : 10.0.0.1 . 8080, 10.11.0.10 . 80 . 1 : 10.0.0.2 . 8080 }
                        add element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 comment "2 #" }
                        add element inet clustermesh services4 { 10.11.0.10 . tcp . 80 : goto lb4_tcp_2 }"""),
                new Case("frontend gone", List.of(svc + "10.0.0.1:8080"), List.of(), """
                        delete element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 0 }
                        delete element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 }
                        delete element inet clustermesh services4 { 10.11.0.10 . tcp . 80 }"""),
                new Case("one slot's backend replaced: that slot and its digest only",
                        List.of(svc + "10.0.0.1:8080, 10.0.0.2:8080"), List.of(svc + "10.0.0.1:8080, 10.0.0.3:8080"), """
                        delete element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 1 }
                        delete element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 }
                        add element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 1 : 10.0.0.3 . 8080 }
                        add element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 comment "2 #" }"""),
                new Case("shrinks from 3 to 2 (chain lb4_tcp_2 exists): verdict and changed slots",
                        List.of(svc + "10.0.0.1:1, 10.0.0.2:2, 10.0.0.3:3", "10.11.0.11:80/TCP -> 10.0.0.9:1, 10.0.0.8:1"),
                        List.of(svc + "10.0.0.1:1, 10.0.0.3:3", "10.11.0.11:80/TCP -> 10.0.0.9:1, 10.0.0.8:1"), """
                        delete element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 1, 10.11.0.10 . 80 . 2 }
                        delete element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 }
                        delete element inet clustermesh services4 { 10.11.0.10 . tcp . 80 }
                        add element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 1 : 10.0.0.3 . 3 }
                        add element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 comment "2 #" }
                        add element inet clustermesh services4 { 10.11.0.10 . tcp . 80 : goto lb4_tcp_2 }"""),
                new Case("last usable backend gone: rejected", List.of(svc + "10.0.0.1:1"), List.of(svc + "10.0.0.1:1~"), """
                        delete element inet clustermesh backends4_tcp { 10.11.0.10 . 80 . 0 }
                        delete element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 }
                        delete element inet clustermesh services4 { 10.11.0.10 . tcp . 80 }
                        add element inet clustermesh digests4 { 10.11.0.10 . tcp . 80 comment "0 #" }
                        add element inet clustermesh services4 { 10.11.0.10 . tcp . 80 : goto no_backends }"""),
                new Case("IPv6 UDP goes to the v6 UDP slot map", List.of(), List.of("[fd00::10]:53/UDP -> [fd00::1]:5353"),
                        """
                        add chain inet clustermesh lb6_udp_1
                        flush chain inet clustermesh lb6_udp_1
                        add rule inet clustermesh lb6_udp_1 meta l4proto udp dnat ip6 to ip6 daddr . udp dport . numgen random mod 1 map @backends6_udp
                        add element inet clustermesh backends6_udp { fd00::10 . 53 . 0 : fd00::1 . 5353 }
                        add element inet clustermesh digests6 { fd00::10 . udp . 53 comment "1 #" }
                        add element inet clustermesh services6 { fd00::10 . udp . 53 : goto lb6_udp_1 }"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersOnlyTheDifference(Case c) {
        LbMaps before = NftRenderTest.maps(c.before().toArray(String[]::new));
        LbMaps after = NftRenderTest.maps(c.after().toArray(String[]::new));
        Map<LbFrontend, NftFrontend> programmed = new HashMap<>();
        List<NftFrontend> old = NftablesDatapath.frontends(before);
        old.forEach(f -> programmed.put(f.frontend(), f));
        Set<LbFrontend> candidates = new HashSet<>(before.services().keySet());
        candidates.addAll(after.services().keySet());

        NftDiff.Delta delta = NftDiff.diff(programmed, NftRender.chains(old), candidates,
                f -> Optional.ofNullable(after.services().get(f)).flatMap(s -> NftRender.frontend(s, after.backends())));

        // Digests are checked in NftRenderTest; here they are only required to be there.
        assertThat(String.join("\n", delta.statements()).replaceAll("comment \"(\\d+) [0-9a-f]{16}\"", "comment \"$1 #\""))
                .isEqualTo(c.expected());
        // Applying the updates gives what a full render of the desired maps gives.
        delta.updates().forEach((f, rules) -> {
            if (rules.isPresent()) {
                programmed.put(f, rules.get());
            } else {
                programmed.remove(f);
            }
        });
        assertThat(programmed.values()).containsExactlyInAnyOrderElementsOf(NftablesDatapath.frontends(after));
        assertThat(delta.chains()).containsAll(NftRender.chains(NftablesDatapath.frontends(after)));
    }
}
