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
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
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

    /** Runs every task in the caller, at once. */
    static ExecutorService inline() {
        return new AbstractExecutorService() {
            private boolean down;

            @Override
            public void execute(Runnable task) {
                task.run();
            }

            @Override
            public void shutdown() {
                down = true;
            }

            @Override
            public List<Runnable> shutdownNow() {
                down = true;
                return List.of();
            }

            @Override
            public boolean isShutdown() {
                return down;
            }

            @Override
            public boolean isTerminated() {
                return down;
            }

            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) {
                return true;
            }
        };
    }

    /** Records every command; answers {@code conntrack -L} with {@code listing}, anything else with nothing. */
    static final class Recorder implements BiFunction<List<String>, Duration, String> {
        final List<List<String>> commands = new ArrayList<>();
        private final String listing;

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

    private static NftStaleFlows.Gone gone(String backend) throws Exception {
        return new NftStaleFlows.Gone("tcp", InetAddress.getByName("10.11.0.10"), 80, InetAddress.getByName(backend),
                80);
    }

    @Test
    void aBackendLeavingTheSlotsOrTheFrontendGoingIsGoneOnlyForTcp() throws Exception {
        NftFrontend before = tcp("10.11.0.10", "10.10.1.1", "10.10.1.2", "10.10.1.1");
        assertThat(NftStaleFlows.gone(before, Optional.of(tcp("10.11.0.10", "10.10.1.2", "10.10.1.3"))))
                .containsExactly(gone("10.10.1.1"));
        assertThat(NftStaleFlows.gone(before, Optional.empty())).containsExactlyInAnyOrder(gone("10.10.1.1"),
                gone("10.10.1.2"));
        assertThat(NftStaleFlows.gone(null, Optional.of(before))).isEmpty();
        NftFrontend udp = new NftFrontend(new LbFrontend("10.11.0.10", Protocol.UDP, 53), NftFrontend.Family.V4,
                "udp", List.of(new NftFrontend.Target("10.10.1.1", 53)));
        assertThat(NftStaleFlows.gone(udp, Optional.empty())).as("live UDP flows keep their backend").isEmpty();
    }

    @Test
    void onlyClosedEntriesToTheGoneBackendOfThatFrontendAreDeletedByTupleAndState() throws Exception {
        List<NftStaleFlows.Gone> one = List.of(gone("10.10.1.1"));
        assertThat(NftStaleFlows.match("tcp", TIME_WAIT_TO_ONE, one)).contains(List.of("-p", "tcp", "-s",
                "10.10.1.100", "-d", "10.11.0.10", "--sport", "40000", "--dport", "80", "--state", "TIME_WAIT"));
        assertThat(NftStaleFlows.match("tcp", ESTABLISHED_TO_ONE, one)).as("live").isEmpty();
        assertThat(NftStaleFlows.match("tcp", CLOSE_TO_TWO, one)).as("another backend").isEmpty();
        assertThat(NftStaleFlows.match("tcp", CLOSE_TO_TWO, List.of(gone("10.10.1.2")))).isPresent();
        assertThat(NftStaleFlows.match("tcp", TIME_WAIT_OTHER_VIP, one)).as("another frontend").isEmpty();
        assertThat(NftStaleFlows.match("tcp", "conntrack v1.4.7 (conntrack-tools): 4 flow entries", one)).isEmpty();
        assertThat(NftStaleFlows.match("tcp", "tcp 6 TIME_WAIT src=10.10.1.100", one)).as("cut short").isEmpty();
    }

    @Test
    void theDatapathHandsItsGoneBackendsOverAfterTheTransactionAndOnlyThoseAreDeleted() {
        Recorder conntrack = new Recorder(String.join("\n", TIME_WAIT_TO_ONE, ESTABLISHED_TO_ONE, CLOSE_TO_TWO,
                TIME_WAIT_OTHER_VIP));
        NetworkNamespace host = NetworkNamespace.host();
        NftablesDatapath d = new NftablesDatapath(host, RouteProgrammer.create(RoutingOptions.none(), host),
                new FakeNftRunner(), NftablesDatapathTest.changedNft(), new NftStaleFlows(conntrack, inline()));
        d.apply(new DatapathState(maps("10.11.0.10:80/TCP -> 10.10.1.1:80, 10.10.1.2:80"), new TreeSet<>()), true);
        assertThat(conntrack.commands).as("a full sync knows no previous slots").isEmpty();

        d.apply(new DatapathState(maps("10.11.0.10:80/TCP -> 10.10.1.2:80"), new TreeSet<>()), false);
        assertThat(conntrack.commands).containsExactly(List.of("conntrack", "-L", "-f", "ipv4", "-p", "tcp"),
                List.of("conntrack", "-D", "-f", "ipv4", "-p", "tcp", "-s", "10.10.1.100", "-d", "10.11.0.10",
                        "--sport", "40000", "--dport", "80", "--state", "TIME_WAIT"));
        d.close();
    }
}
