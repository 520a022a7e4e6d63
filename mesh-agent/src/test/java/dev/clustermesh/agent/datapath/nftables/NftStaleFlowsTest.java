package dev.clustermesh.agent.datapath.nftables;

import static dev.clustermesh.agent.datapath.nftables.NftRenderTest.maps;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which connection-tracking entries go when a backend leaves a frontend's slots: closed TCP ones load-balanced to it
 * (their tuple could be reused by a new connection, which would follow their NAT), never a live flow, never another
 * backend's or frontend's. The real kernel's side is in {@code NftablesDatapathIT}.
 */
@Timeout(30)
class NftStaleFlowsTest {
    private static final String TIME_WAIT_TO_ONE = "tcp      6 117 TIME_WAIT src=10.10.1.100 dst=10.11.0.10 "
            + "sport=40000 dport=80 src=10.10.1.1 dst=10.10.1.100 sport=80 dport=40000 [ASSURED] mark=0 use=1";
    private static final String ESTABLISHED_TO_ONE = "tcp      6 431999 ESTABLISHED src=10.10.1.100 dst=10.11.0.10 "
            + "sport=40001 dport=80 src=10.10.1.1 dst=10.10.1.100 sport=80 dport=40001 [ASSURED] mark=0 use=1";
    private static final String CLOSE_TO_TWO = "tcp      6 9 CLOSE src=10.10.1.100 dst=10.11.0.10 "
            + "sport=40002 dport=80 src=10.10.1.2 dst=10.10.1.100 sport=80 dport=40002 mark=0 use=1";
    private static final String TIME_WAIT_OTHER_VIP = "tcp      6 100 TIME_WAIT src=10.10.1.100 dst=10.11.0.11 "
            + "sport=40003 dport=80 src=10.10.1.1 dst=10.10.1.100 sport=80 dport=40003 [ASSURED] mark=0 use=1";

    /** Records every command; answers {@code conntrack -L} with {@code listing}, anything else with nothing. */
    static final class Recorder implements BiFunction<List<String>, Duration, String> {
        final List<List<String>> commands = new ArrayList<>();
        String listing;

        Recorder(String listing) {
            this.listing = listing;
        }

        @Override
        public String apply(List<String> cmd, Duration timeout) {
            commands.add(cmd);
            return cmd.get(1).equals("-L") ? listing : "";
        }
    }

    private static NftFrontend tcp(String vip, String... backends) {
        List<NftFrontend.Target> targets = new ArrayList<>();
        for (String b : backends) {
            targets.add(new NftFrontend.Target(b, 80));
        }
        return new NftFrontend(new LbFrontend(vip, Protocol.TCP, 80), NftFrontend.Family.V4, "tcp", targets);
    }

    private static String listing(String... lines) {
        return String.join("\n", lines) + "\nconntrack v1.4.7 (conntrack-tools): " + lines.length
                + " flow entries have been shown.";
    }

    private static List<String> delete(String sport, String state) {
        return List.of("conntrack", "-D", "-f", "ipv4", "-p", "tcp", "-s", "10.10.1.100", "-d", "10.11.0.10",
                "--sport", sport, "--dport", "80", "--state", state);
    }

    @Test
    void closedEntriesOfAFrontendThatLostABackendGoWhenTheirBackendIsNotInItsSlotsNow() {
        Recorder conntrack = new Recorder(listing(TIME_WAIT_TO_ONE, ESTABLISHED_TO_ONE, CLOSE_TO_TWO,
                TIME_WAIT_OTHER_VIP));
        NftStaleFlows flows = new NftStaleFlows(conntrack, null);
        flows.changed(tcp("10.11.0.10", "10.10.1.1", "10.10.1.2"), Optional.of(tcp("10.11.0.10", "10.10.1.2")), 0);
        flows.changed(tcp("10.11.0.11", "10.10.1.1"), Optional.of(tcp("10.11.0.11", "10.10.1.1", "10.10.1.3")), 0);
        assertThat(flows.round(1)).isEqualTo(1);
        assertThat(conntrack.commands).as("live, still in the slots, another frontend: kept").containsExactly(
                List.of("conntrack", "-L", "-f", "ipv4", "-p", "tcp"), delete("40000", "TIME_WAIT"));

        // The frontend gone: every backend's closed entries go.
        conntrack.commands.clear();
        flows.changed(tcp("10.11.0.10", "10.10.1.2"), Optional.empty(), 2);
        assertThat(flows.round(3)).isEqualTo(2);
        assertThat(conntrack.commands).contains(delete("40002", "CLOSE"));
    }

    @Test
    void aConnectionThatClosesAfterTheChangeIsSweptByALaterRoundWithinTheWatch() {
        Recorder conntrack = new Recorder(listing(ESTABLISHED_TO_ONE));
        NftStaleFlows flows = new NftStaleFlows(conntrack, null);
        flows.changed(tcp("10.11.0.10", "10.10.1.1"), Optional.of(tcp("10.11.0.10", "10.10.1.2")), 0);
        assertThat(flows.round(1)).as("still open").isZero();

        conntrack.listing = listing(TIME_WAIT_TO_ONE.replace("40000", "40001"));
        assertThat(flows.round(NftStaleFlows.EVERY.toNanos())).isEqualTo(1);
        assertThat(conntrack.commands).endsWith(delete("40001", "TIME_WAIT"));

        conntrack.commands.clear();
        assertThat(flows.round(NftStaleFlows.WATCH.toNanos())).as("watched long enough").isZero();
        assertThat(conntrack.commands).as("nothing watched: nothing listed").isEmpty();
    }

    @Test
    void onlyTcpFrontendsThatLostABackendAreWatched() {
        Recorder conntrack = new Recorder(listing(TIME_WAIT_TO_ONE));
        NftStaleFlows flows = new NftStaleFlows(conntrack, null);
        flows.changed(null, Optional.of(tcp("10.11.0.10", "10.10.1.1")), 0);
        flows.changed(tcp("10.11.0.10", "10.10.1.1"), Optional.of(tcp("10.11.0.10", "10.10.1.1", "10.10.1.2")), 0);
        NftFrontend udp = new NftFrontend(new LbFrontend("10.11.0.10", Protocol.UDP, 53), NftFrontend.Family.V4,
                "udp", List.of(new NftFrontend.Target("10.10.1.1", 53)));
        flows.changed(udp, Optional.empty(), 0);
        assertThat(flows.round(1)).isZero();
        assertThat(conntrack.commands).as("live UDP flows keep their backend; a gain loses nothing").isEmpty();
    }

    @Test
    void linesThatAreNotClosedTcpEntriesOfAWatchedFrontendMatchNothing() {
        Map<NftStaleFlows.Frontend, NftStaleFlows.Watched> watched = Map.of(new NftStaleFlows.Frontend(
                ip("10.11.0.10"), 80), new NftStaleFlows.Watched(Set.of(new NftStaleFlows.Backend(ip("10.10.1.2"),
                80)), Long.MAX_VALUE, "ipv4"));
        assertThat(match(TIME_WAIT_TO_ONE, watched)).isPresent();
        assertThat(match(ESTABLISHED_TO_ONE, watched)).isEmpty();
        assertThat(match(CLOSE_TO_TWO, watched)).as("in the slots").isEmpty();
        assertThat(match(TIME_WAIT_OTHER_VIP, watched)).isEmpty();
        assertThat(match("conntrack v1.4.7 (conntrack-tools): 4 flow entries", watched)).isEmpty();
        assertThat(match("tcp 6 TIME_WAIT src=10.10.1.100", watched)).as("cut short").isEmpty();
        assertThat(match(TIME_WAIT_TO_ONE.replace("dport=80 src", "dport=x src"), watched)).isEmpty();
    }

    /** {@link NftStaleFlows#match} for one {@code conntrack -L} line (empty for a line of no flow). */
    private static Optional<List<String>> match(String line,
            Map<NftStaleFlows.Frontend, NftStaleFlows.Watched> watched) {
        return NftConntrack.parse(line).stream().map(f -> NftStaleFlows.match(f, watched)).flatMap(Optional::stream)
                .findFirst();
    }

    @Test
    void aFailingConntrackIsToldNotThrownAndTheNextRoundTriesAgain() {
        NftStaleFlows flows = new NftStaleFlows((cmd, timeout) -> {
            throw new IllegalStateException("conntrack: not found");
        }, null);
        flows.changed(tcp("10.11.0.10", "10.10.1.1"), Optional.empty(), 0);
        assertThat(flows.round(1)).isZero();
        assertThat(flows.round(2)).isZero();
    }

    @Test
    void theDatapathHandsItsChangesOverAfterTheTransaction() {
        Recorder conntrack = new Recorder(listing(TIME_WAIT_TO_ONE, CLOSE_TO_TWO));
        NftStaleFlows flows = new NftStaleFlows(conntrack, null);
        NetworkNamespace host = NetworkNamespace.host();
        try (NftablesDatapath d = new NftablesDatapath(host, RouteProgrammer.create(RoutingOptions.none(), host),
                new FakeNftRunner(), NftablesDatapathTest.changedNft(), flows)) {
            d.apply(new DatapathState(maps("10.11.0.10:80/TCP -> 10.10.1.1:80, 10.10.1.2:80"), new TreeSet<>()),
                    true);
            assertThat(flows.round(System.nanoTime())).as("a full sync knows no earlier slots").isZero();
            d.apply(new DatapathState(maps("10.11.0.10:80/TCP -> 10.10.1.2:80"), new TreeSet<>()), false);
            assertThat(flows.round(System.nanoTime())).isEqualTo(1);
            assertThat(conntrack.commands).containsExactly(List.of("conntrack", "-L", "-f", "ipv4", "-p", "tcp"),
                    delete("40000", "TIME_WAIT"));
        }
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
