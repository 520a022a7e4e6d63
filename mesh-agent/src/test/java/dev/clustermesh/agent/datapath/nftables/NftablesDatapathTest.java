package dev.clustermesh.agent.datapath.nftables;

import static dev.clustermesh.agent.datapath.nftables.NftRenderTest.maps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.core.worker.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The datapath over the in-memory runner: which runner carries what, adoption, and the session's fallback. */
@Timeout(30)
class NftablesDatapathTest {
    private static final NetworkNamespace HOST = NetworkNamespace.host();
    private static final String SVC = "10.11.0.10:80/TCP -> ";
    private final FakeNftRunner nft = new FakeNftRunner();

    private static DatapathState state(LbMaps lb) {
        return new DatapathState(lb, new TreeSet<>());
    }

    /** A session whose process answers nothing, as an nft whose interactive mode changed might. */
    static NftSession changedNft() {
        return new NftSession(HOST, List.of("sh", "-c", "exec cat >/dev/null"), Duration.ofSeconds(5),
                Duration.ofMillis(300), new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(10), 2, 0));
    }

    private NftablesDatapath datapath(NftSession session) {
        return new NftablesDatapath(HOST, RouteProgrammer.create(RoutingOptions.none(), HOST), nft, session,
                new NftStaleFlows((cmd, timeout) -> "", null));
    }

    @Test
    void whenTheSessionFailsItsProbeEveryChangeGoesThroughTheFileRunnerAndStillApplies() {
        NftSession session = changedNft();
        try (NftablesDatapath d = datapath(session)) {
            d.apply(state(maps(SVC + "10.10.1.1:80")), true);
            assertThat(nft.applied()).isEqualTo(1);

            d.apply(state(maps(SVC + "10.10.1.2:80")), false);
            assertThat(session.refused()).isTrue();
            assertThat(nft.applied()).as("the refused session sent nothing; nft -f applied it").isEqualTo(2);
            assertThat(d.lastTransaction()).contains("add element inet clustermesh backends4_tcp"
                    + " { 10.11.0.10 . 80 . 0 : 10.10.1.2 . 80 }");
            assertThat(nft.list(List.of("map", "inet", "clustermesh", "backends4_tcp")))
                    .contains("10.11.0.10 . 80 . 0 : 10.10.1.2 . 80").doesNotContain("10.10.1.1");

            d.apply(state(maps(SVC + "10.10.1.3:80")), false);
            assertThat(nft.applied()).isEqualTo(3);
        }
    }

    @Test
    void aFullSyncReplacesTheTableInOneTransaction() {
        try (NftablesDatapath d = datapath(changedNft())) {
            d.apply(state(maps(SVC + "10.10.1.1:80, 10.10.1.2:80")), true);

            assertThat(d.lastTransaction()).startsWith("full sync: 1 frontends, ");
            assertThat(nft.applied()).isEqualTo(1);
            assertThat(nft.dump().replaceAll("comment \"(\\d+) [0-9a-f]{16}\"", "comment \"$1 #\"")).isEqualTo("""
                    table inet clustermesh
                      chain lb4_tcp_2
                        meta l4proto tcp dnat ip to ip daddr . tcp dport . numgen random mod 2 map @backends4_tcp
                      chain no_backends
                        meta l4proto tcp reject with tcp reset
                        reject with icmpx type port-unreachable
                      chain output (nat output -110)
                        ct state invalid drop
                        ip daddr . meta l4proto . th dport vmap @services4
                        ip6 daddr . meta l4proto . th dport vmap @services6
                      chain postrouting (nat postrouting 100)
                        ct status dnat ip saddr @remote_pods4 masquerade
                        ct status dnat ip6 saddr @remote_pods6 masquerade
                      chain prerouting (nat prerouting -110)
                        ct state invalid drop
                        ip daddr . meta l4proto . th dport vmap @services4
                        ip6 daddr . meta l4proto . th dport vmap @services6
                      map backends4_sctp
                      map backends4_tcp
                        10.11.0.10 . 80 . 0 : 10.10.1.1 . 80
                        10.11.0.10 . 80 . 1 : 10.10.1.2 . 80
                      map backends4_udp
                      map backends6_sctp
                      map backends6_tcp
                      map backends6_udp
                      set digests4
                        10.11.0.10 . tcp . 80 comment "2 #"
                      set digests6
                      set remote_pods4
                      set remote_pods6
                      map services4
                        10.11.0.10 . tcp . 80 : goto lb4_tcp_2
                      map services6
                    """);
        }
    }

    @Test
    void aNewDatapathAdoptsTheTableAndAppliesOnlyTheDifference() {
        try (NftablesDatapath first = datapath(changedNft())) {
            first.apply(state(maps(SVC + "10.10.1.1:80", "10.11.0.20:80/TCP -> 10.10.1.2:80")), true);
        }
        String before = nft.dump();

        try (NftablesDatapath second = datapath(changedNft())) {
            second.apply(state(maps(SVC + "10.10.1.1:80", "10.11.0.20:80/TCP -> 10.10.1.3:80")), true);

            assertThat(second.lastTransaction()).startsWith("adopted: 2 frontends listed, 1 changed")
                    .doesNotContain("10.11.0.10 . ");
            assertThat(nft.applied()).isEqualTo(2);
            String digest = NftDigests.digest(NftablesDatapath.frontends(maps("10.11.0.20:80/TCP -> 10.10.1.3:80"))
                    .get(0));
            assertThat(nft.dump()).isEqualTo(before.replace("10.11.0.20 . 80 . 0 : 10.10.1.2 . 80",
                    "10.11.0.20 . 80 . 0 : 10.10.1.3 . 80")
                    .replaceAll("(10.11.0.20 . tcp . 80 comment \"1) [0-9a-f]{16}", "$1 " + digest));
        }
    }

    @Test
    void aRefusedChangeIsReportedAndTheNextApplyIsAFullSync() {
        try (NftablesDatapath d = datapath(changedNft())) {
            d.apply(state(maps(SVC + "10.10.1.1:80")), true);
            // Someone else removes a slot the datapath believes is there: deleting it fails, nothing is applied.
            nft.apply(NftRender.transaction().delete(NftObjects.Element.ofKey("backends4_tcp",
                    List.of("10.11.0.10", "80", "0"))));

            assertThatThrownBy(() -> d.apply(state(maps(SVC + "10.10.1.2:80")), false))
                    .isInstanceOf(DatapathException.class).hasMessageContaining("No such file or directory");
            d.apply(state(maps(SVC + "10.10.1.2:80")), false);
            assertThat(d.lastTransaction()).startsWith("full sync");
            assertThat(nft.list(List.of("map", "inet", "clustermesh", "backends4_tcp")))
                    .contains("10.11.0.10 . 80 . 0 : 10.10.1.2 . 80");
        }
    }
}
