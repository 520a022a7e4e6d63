package dev.clustermesh.agent.datapath.nftables;

import static dev.clustermesh.agent.datapath.nftables.NftRenderTest.maps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.netlab.Backends;
import dev.clustermesh.agent.datapath.netlab.ClusterNetwork;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.agent.datapath.netlab.RebelBase;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import dev.clustermesh.core.worker.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nftables datapath on real packets: a node namespace between a client pod and three backend pods, the
 * table programmed by {@link NftablesDatapath} in the node, TCP with curl and UDP with bash's /dev/udp.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class NftablesDatapathIT {
    private static final String VIP = "10.11.0.10";
    private static final String ONE = "10.10.1.1:80";
    private static final String TWO = "10.10.1.2:80";
    private static final String THREE = "10.10.1.3:80";
    @TempDir
    static Path dir;
    private NetnsLab lab;
    private String node;
    private String client;
    private final List<NftablesDatapath> opened = new ArrayList<>();

    @BeforeAll
    void network() {
        lab = NetnsLab.open("cmt5d");
        ClusterNetwork net = ClusterNetwork.twoClusters(lab);
        node = net.node(1);
        client = net.pod(1, "xw", "10.10.1.100");
        for (int i = 1; i <= 3; i++) {
            String ip = "10.10.1." + i;
            Backends.start(lab, net.pod(1, "rb" + i, ip), ip, List.of("one", "two", "three").get(i - 1), dir);
        }
        for (int i = 1; i <= 3; i++) {
            Backends.awaitUp(client, "10.10.1." + i);
        }
    }

    @AfterAll
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    @AfterEach
    void removeTable() {
        opened.forEach(NftablesDatapath::close);
        opened.clear();
        NetnsLab.tryExec(node, "nft", "delete", "table", "inet", "clustermesh");
    }

    private NftablesDatapath datapath() {
        NftablesDatapath d = new NftablesDatapath(NetworkNamespace.named(node),
                RouteProgrammer.create(RoutingOptions.none(), NetworkNamespace.named(node)));
        opened.add(d);
        return d;
    }

    private static DatapathState state(LbMaps lb) {
        return new DatapathState(lb, new TreeSet<>());
    }

    private static String svc(String backends) {
        return VIP + ":80/TCP -> " + backends;
    }

    private static String udp(String backends) {
        return VIP + ":53/UDP -> " + backends;
    }

    @Test
    void tcpAndUdpReachOnlyTheUsableBackendsAndChangesApplyAsSmallDeltas() {
        NftablesDatapath d = datapath();
        d.apply(state(maps(svc(ONE + ", " + TWO + "~"), udp("10.10.1.1:" + RebelBase.UDP_PORT))), true);
        assertThat(d.lastTransaction()).startsWith("full sync");
        assertThat(Backends.answers(client, VIP, 10)).containsOnly("one");
        assertThat(Backends.udp(client, VIP, 53).output().strip()).isEqualTo("one");

        d.apply(state(maps(svc(TWO + ", " + THREE), udp("10.10.1.3:" + RebelBase.UDP_PORT))), false);
        assertThat(d.lastTransaction()).doesNotContain("full sync").contains("delete element", "add element");
        assertThat(Backends.answers(client, VIP, 20)).containsOnly("two", "three").contains("two", "three");
        assertThat(Backends.udp(client, VIP, 53).output().strip()).isEqualTo("three");
    }

    /**
     * A backend leaving a frontend's slots takes the tracking entries of its closed connections with it (a new
     * connection reusing one's tuple would otherwise follow its NAT to that backend), not those of its live ones,
     * until they close: then a later round takes theirs too.
     */
    @Test
    void aBackendLeavingTheSlotsTakesItsClosedConnectionsTrackingEntriesNotItsLiveOnes() throws Exception {
        Binaries.require("conntrack", "apt-get install -y conntrack");
        NftablesDatapath d = datapath();
        d.apply(state(maps(svc(ONE))), true);
        assertThat(Backends.answers(client, VIP, 3)).containsOnly("one");
        Process live = new ProcessBuilder("ip", "netns", "exec", client, "bash", "-c", "exec 3<>/dev/tcp/" + VIP
                + "/80; exec sleep 60").start();
        try {
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(tracked("ESTABLISHED")).isPositive());
            assertThat(tracked("TIME_WAIT")).as("curl's closed connections").isPositive();
            d.apply(state(maps(svc(TWO))), false);
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(tracked("TIME_WAIT")).isZero());
            assertThat(tracked("ESTABLISHED")).as("the live connection keeps its entry").isPositive();
            assertThat(Backends.answers(client, VIP, 5)).containsOnly("two");
        } finally {
            live.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // Closed now (its process killed): its entry, in TIME_WAIT for two minutes otherwise, is swept within a
        // round or two.
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(tracked("")).isZero());
    }

    /**
     * The node's TCP tracking entries in {@code state} (any, for "") of connections to the VIP load-balanced to
     * backend one.
     */
    private long tracked(String state) {
        return NetnsLab.exec(node, "conntrack", "-L", "-p", "tcp").lines().filter(l -> (state.isEmpty()
                || l.contains(" " + state + " ")) && l.contains("dst=" + VIP + " ") && l.contains("src=10.10.1.1 "))
                .count();
    }

    @Test
    void aFrontendWithoutUsableBackendsIsRejectedAtOnce() {
        NftablesDatapath d = datapath();
        d.apply(state(maps(svc(ONE + "~"))), true);
        long start = System.nanoTime();
        Command.Result r = Backends.get(client, VIP);
        assertThat(r.exitCode()).as(r.output()).isEqualTo(7);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500);
        assertThat(Backends.udp(client, VIP, 53).exitCode()).isNotZero();
    }

    @Test
    void conntrackKeepsAFlowOnItsBackendWhenTheSlotsChange() throws Exception {
        NftablesDatapath d = datapath();
        d.apply(state(maps(udp("10.10.1.1:" + RebelBase.UDP_PORT))), true);
        // One UDP flow (same socket, same source port): a datagram, a pause for the change, another datagram.
        Process flow = new ProcessBuilder("ip", "netns", "exec", client, "bash", "-c", "exec 3<>/dev/udp/" + VIP
                + "/53; echo a >&3; timeout 2 head -n 1 <&3; read go; echo b >&3; timeout 2 head -n 1 <&3")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(flow.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = flow.getOutputStream()) {
            assertThat(line(out)).isEqualTo("one");
            d.apply(state(maps(udp("10.10.1.2:" + RebelBase.UDP_PORT))), false);
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertThat(line(out)).as("the established flow").isEqualTo("one");
        } finally {
            flow.destroyForcibly();
        }
        assertThat(Backends.udp(client, VIP, 53).output().strip()).as("a new flow").isEqualTo("two");
    }

    /** The next line, or a failure after 5 s (a blocked read ignores JUnit's timeout interrupt). */
    private static String line(BufferedReader out) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void adoptsItsTableOnStartLeavesItOnCloseAndNeverTouchesOtherTables() {
        NetnsLab.exec(node, "nft", "add table ip other; add chain ip other c { type filter hook input priority 0; };"
                + " add rule ip other c counter accept; add table inet clustermesh;"
                + " add set inet clustermesh junk { type ipv4_addr; }");
        String other = NetnsLab.exec(node, "nft", "list", "table", "ip", "other");

        NftablesDatapath first = datapath();
        first.apply(state(maps(svc(ONE))), true);
        first.close();
        assertThat(NetnsLab.exec(node, "nft", "list", "table", "inet", "clustermesh")).doesNotContain("junk");
        assertThat(Backends.answers(client, VIP, 3)).as("rules stay while no agent runs").containsOnly("one");

        NftablesDatapath second = datapath();
        assertThat(Backends.answers(client, VIP, 3)).as("adopted, untouched until the first sync").containsOnly("one");
        second.apply(state(maps(svc(TWO))), false);
        assertThat(second.lastTransaction()).as("the first apply of a new agent adopts the table")
                .startsWith("adopted: 1 frontends listed, 1 changed");
        assertThat(Backends.answers(client, VIP, 3)).containsOnly("two");
        assertThat(NetnsLab.exec(node, "nft", "list", "table", "ip", "other")).isEqualTo(other);
        NetnsLab.exec(node, "nft", "delete", "table", "ip", "other");
    }

    @Test
    void aRestartedAgentAppliesOnlyTheDifferenceAndAReplaceRepairsWhatItCannotSee() {
        NftablesDatapath first = datapath();
        first.apply(state(maps(svc(ONE), "10.11.0.20:80/TCP -> " + TWO, "10.11.0.21:80/TCP -> " + THREE)), true);
        first.close();

        // Meanwhile 10.11.0.20 moved to another backend, 10.11.0.21 went and 10.11.0.22 came.
        NftablesDatapath second = datapath();
        second.apply(state(maps(svc(ONE), "10.11.0.20:80/TCP -> " + THREE, "10.11.0.22:80/TCP -> " + TWO)), true);
        assertThat(second.lastTransaction()).startsWith("adopted: 3 frontends listed, 3 changed")
                .doesNotContain(VIP + " ");
        assertThat(Backends.answers(client, VIP, 3)).containsOnly("one");
        assertThat(Backends.answers(client, "10.11.0.20", 3)).containsOnly("three");
        assertThat(Backends.answers(client, "10.11.0.22", 3)).containsOnly("two");
        assertThat(NetnsLab.exec(node, "nft", "list", "map", "inet", "clustermesh", "services4"))
                .doesNotContain("10.11.0.21");
        second.close();

        // A slot removed by hand: the next agent's adoption cannot see it, its delete fails, the retry replaces.
        NetnsLab.exec(node, "nft", "delete element inet clustermesh backends4_tcp { 10.11.0.20 . 80 . 0 }");
        NftablesDatapath third = datapath();
        DatapathState moved = state(maps(svc(ONE), "10.11.0.20:80/TCP -> " + ONE, "10.11.0.22:80/TCP -> " + TWO));
        assertThatThrownBy(() -> third.apply(moved, true)).isInstanceOf(DatapathException.class);
        third.apply(moved, true);
        assertThat(third.lastTransaction()).startsWith("full sync");
        assertThat(Backends.answers(client, "10.11.0.20", 3)).containsOnly("one");
        assertThat(Backends.answers(client, "10.11.0.22", 3)).containsOnly("two");
    }

    @Test
    void aRefusedTransactionChangesNothingAndTheNextFullSyncRepairs() {
        NftablesDatapath d = datapath();
        d.apply(state(maps(svc(ONE), "10.11.0.20:80/TCP -> " + TWO)), true);
        // Someone else removes an element the agent believes is there: deleting it again fails in nft.
        NetnsLab.exec(node, "nft", "delete element inet clustermesh backends4_tcp { 10.11.0.20 . 80 . 0 }");

        assertThatThrownBy(() -> d.apply(state(maps(svc(THREE), "10.11.0.20:80/TCP -> " + THREE)), false))
                .isInstanceOf(DatapathException.class).hasMessageContaining("No such file or directory");
        assertThat(Backends.answers(client, VIP, 3)).as("nothing of the refused transaction applied").containsOnly("one");

        d.apply(state(maps(svc(THREE), "10.11.0.20:80/TCP -> " + THREE)), true);
        assertThat(Backends.answers(client, VIP, 3)).containsOnly("three");
        assertThat(Backends.answers(client, "10.11.0.20", 3)).containsOnly("three");
    }

    @Test
    void ipv6FrontendsGoToTheV6MapsInFullAndIncrementalApplies() {
        NftablesDatapath d = datapath();
        d.apply(state(maps(svc(ONE), "[fd00::10]:80/TCP -> [fd00:1::1]:80, [fd00:1::2]:80")), true);
        d.apply(state(maps(svc(ONE), "[fd00::10]:80/TCP -> [fd00:1::1]:80, [fd00:1::3]:80")), false);
        assertThat(d.lastTransaction()).contains("backends6_tcp");
        assertThat(NetnsLab.exec(node, "nft", "list", "map", "inet", "clustermesh", "backends6_tcp"))
                .contains("fd00::10 . 80 . 0 : fd00:1::1 . 80", "fd00::10 . 80 . 1 : fd00:1::3 . 80")
                .doesNotContain("fd00:1::2");
    }

    @Test
    void whenNftInteractiveFailsItsStartUpProbeSmallChangesGoThroughNftFile() {
        NetworkNamespace ns = NetworkNamespace.named(node);
        // An interactive nft that answers nothing, as one whose error reporting changed might.
        NftSession changed = new NftSession(ns, List.of("sh", "-c", "exec cat >/dev/null"), Duration.ofSeconds(5),
                Duration.ofMillis(300), new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(10), 2, 0));
        NftablesDatapath d = new NftablesDatapath(ns, RouteProgrammer.create(RoutingOptions.none(), ns),
                new NftFileRunner(ns, Duration.ofSeconds(60)), changed, new NftStaleFlows(ns));
        opened.add(d);
        d.apply(state(maps(svc(ONE))), true);

        d.apply(state(maps(svc(TWO))), false);
        assertThat(changed.refused()).isTrue();
        assertThat(d.lastTransaction()).doesNotContain("full sync").contains("add element");
        assertThat(Backends.answers(client, VIP, 3)).containsOnly("two");
        d.apply(state(maps(svc(THREE))), false);
        assertThat(Backends.answers(client, VIP, 3)).containsOnly("three");
    }

    @Test
    void aMissingNamespaceStopsStartUpWithWhatIsWrong() {
        assertThatThrownBy(() -> new NftablesDatapath(NetworkNamespace.named("cmt5d-missing"),
                RouteProgrammer.create(RoutingOptions.none(), NetworkNamespace.named("cmt5d-missing"))))
                .isInstanceOf(DatapathException.class).hasMessageContaining("cmt5d-missing");
    }

    @Test
    void largeDeltasGoThroughNftFileAndSmallOnesThroughTheSession() {
        NftablesDatapath d = datapath();
        d.apply(state(maps(svc(ONE))), true);
        List<String> many = new ArrayList<>(List.of(svc(ONE)));
        for (int i = 0; i < 2000; i++) {
            many.add("10.12." + (i / 250) + "." + (i % 250 + 1) + ":80/TCP -> " + TWO + ", " + THREE);
        }
        d.apply(state(maps(many.toArray(String[]::new))), false);
        assertThat(d.lastTransaction().length()).isGreaterThan(NftablesDatapath.SESSION_LIMIT);
        assertThat(NetnsLab.exec(node, "nft", "list", "map", "inet", "clustermesh", "services4").split(" : goto ", -1))
                .hasSize(2002);
        // Random choice between two: 24 answers all alike has a chance of 1 in 8 million.
        assertThat(Backends.answers(client, "10.12.7.250", 24)).containsOnly("two", "three");

        many.set(1, "10.12.0.1:80/TCP -> " + ONE);
        d.apply(state(maps(many.toArray(String[]::new))), false);
        assertThat(d.lastTransaction().length()).isLessThan(NftablesDatapath.SESSION_LIMIT);
        assertThat(Backends.answers(client, "10.12.0.1", 3)).containsOnly("one");
    }
}
