package dev.clustermesh.agent.mesh;

import static dev.clustermesh.testing.mesh.SeedManifests.clusterIp;
import static dev.clustermesh.testing.mesh.SeedManifests.rebelBase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.MemoryDatapath;
import dev.clustermesh.agent.loadbalancer.LbBackend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.loadbalancer.LbService;
import dev.clustermesh.agent.policy.PolicySettings;
import dev.clustermesh.agent.routing.Route;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.mesh.LatencyWindow;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.mesh.Stage;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.TcpRelay;
import dev.clustermesh.testing.mesh.LocalCluster;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's global-service walk-through, held in the agents' LB maps: two clusters, each with a real etcd and
 * a real mesh-proxy process exporting a manifest directory, and one agent per cluster joined over mTLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class GlobalServiceWalkthroughIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final RemoteClusterOptions FAST =
            new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(3), Duration.ofSeconds(1));

    @TempDir
    static Path dir;
    private LocalCluster cluster1;
    private LocalCluster cluster2;
    private AgentCore agent1;
    private AgentCore agent2;

    @BeforeAll
    void startMesh() {
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("clustermesh-ca");
        cluster1 = LocalCluster.start("cluster1", 1, dir.resolve("cluster1"), ca, certs);
        cluster2 = LocalCluster.start("cluster2", 2, dir.resolve("cluster2"), ca, certs);
        agent1 = agent(cluster1, ca);
        agent2 = agent(cluster2, ca);
    }

    private AgentCore agent(LocalCluster own, Ca ca) {
        Path clusters = dir.resolve("agent-" + own.name());
        cluster1.joinFile(own.name(), clusters);
        cluster2.joinFile(own.name(), clusters);
        AgentCore core = new AgentCore(new AgentSettings(new ClusterIdentity(own.name(), own.id()), "node-" + own.id(),
                clusters, Duration.ofMillis(200), FAST, "memory"), new MemoryDatapath(), AgentObserver.NONE);
        core.start();
        return core;
    }

    @AfterAll
    void stopMesh() {
        for (AutoCloseable c : new AutoCloseable[] {agent1, agent2, cluster1, cluster2}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // Keep closing the rest.
            }
        }
    }

    @BeforeEach
    void baseline() {
        cluster1.manifest("rebel-base.yaml", rebelBase(1, 2, Map.of()));
        cluster2.manifest("rebel-base.yaml", rebelBase(2, 2, Map.of()));
        awaitBackends(agent1, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U");
        awaitBackends(agent2, 2, "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U", "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U");
    }

    /**
     * Issue 11: with the Secret meshctl writes (certificates beside the configs, Cilium's layout) and the agent's
     * own 30 s request timeout, a new agent waited about a minute before programming anything, because its
     * start-up check counted the certificate files as clusters that never synced.
     */
    @Test
    void aNewAgentOnTheCiliumSecretLayoutProgramsAtOnceAndIsReadyOnlyThen() {
        Path clusters = dir.resolve("agent-cilium-layout");
        cluster1.ciliumLayoutJoinFiles("cluster1", clusters);
        cluster2.ciliumLayoutJoinFiles("cluster1", clusters);
        RemoteClusterOptions agentDefaults =
                new RemoteClusterOptions(Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(30));
        try (AgentCore fresh = new AgentCore(new AgentSettings(new ClusterIdentity("cluster1", 1), "node-9",
                clusters, Duration.ofMillis(200), agentDefaults, "memory"), new MemoryDatapath(), AgentObserver.NONE)) {
            assertThat(fresh.programmed()).as("nothing programmed before start").isFalse();
            assertThat(fresh.ready()).as("not ready before start").isFalse();
            fresh.start();
            // Far below the 60 s the start-up check waited for "clusters" named cluster2.etcd-client.crt & co.
            Eventually.await(Duration.ofSeconds(10), () -> {
                assertThat(fresh.clusters()).containsOnlyKeys("cluster1", "cluster2");
                assertThat(fresh.programmed()).isTrue();
                assertThat(backends(fresh.applied(), 1)).containsExactly("cluster1/10.10.1.1 U",
                        "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U");
            });
            assertThat(fresh.settled()).isTrue();
            // Ready once its policy program is enforced too, which its own worker does just after.
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(fresh.ready())
                    .as("ready (probe and API) once programmed").isTrue());
        }
    }

    @Test
    void bothClustersAreConnectedAndReady() {
        for (AgentCore a : List.of(agent1, agent2)) {
            Eventually.await(WAIT, () -> assertThat(a.clusters().values()).hasSize(2).allMatch(ClusterStatus::ready));
            assertThat(a.settled()).isTrue();
        }
        assertThat(agent1.clusters().get("cluster2").id()).isEqualTo(2);
    }

    @Test
    void routesLeadToTheOtherClustersPodAndServiceCidrsViaTheirNodes() {
        Eventually.await(WAIT, () -> assertThat(((MemoryDatapath) agent1.datapath()).applied().routes())
                .containsExactly(new Route("10.20.1.0/24", "192.168.2.2", "cluster2", "node-2"),
                        new Route("10.21.0.0/16", "192.168.2.2", "cluster2", "node-2", Route.Kind.SERVICE)));
        Eventually.await(WAIT, () -> assertThat(((MemoryDatapath) agent2.datapath()).applied().routes())
                .containsExactly(new Route("10.10.1.0/24", "192.168.1.2", "cluster1", "node-1"),
                        new Route("10.11.0.0/16", "192.168.1.2", "cluster1", "node-1", Route.Kind.SERVICE)));
    }

    @Test
    void cluster2ScaledToZeroLeavesOnlyCluster1sBackends() {
        cluster2.manifest("rebel-base.yaml", rebelBase(2, 0, Map.of()));
        awaitBackends(agent1, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U");
        awaitBackends(agent2, 2, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U");
    }

    @Test
    void sharedFalseOnCluster1HidesItsBackendsFromCluster2Only() {
        cluster1.manifest("rebel-base.yaml", rebelBase(1, 2, Map.of("service.cilium.io/shared", "false")));
        awaitBackends(agent2, 2, "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U");
        awaitBackends(agent1, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U");
    }

    @Test
    void affinityLocalPrefersLocalAndFailsOverWhenLocalIsEmpty() {
        cluster1.manifest("rebel-base.yaml", rebelBase(1, 2, Map.of("service.cilium.io/affinity", "local")));
        awaitBackends(agent1, 1, "cluster1/10.10.1.1 P U", "cluster1/10.10.1.2 P U", "cluster2/10.20.1.1", "cluster2/10.20.1.2");
        awaitBackends(agent2, 2, "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U", "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U");

        cluster1.manifest("rebel-base.yaml", rebelBase(1, 0, Map.of("service.cilium.io/affinity", "local")));
        awaitBackends(agent1, 1, "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U");
        assertThat(service(agent1.applied(), 1).failedOver()).isTrue();
    }

    @Test
    void affinityRemotePrefersTheOtherCluster() {
        cluster1.manifest("rebel-base.yaml", rebelBase(1, 2, Map.of("service.cilium.io/affinity", "remote")));
        awaitBackends(agent1, 1, "cluster2/10.20.1.1 P U", "cluster2/10.20.1.2 P U", "cluster1/10.10.1.1", "cluster1/10.10.1.2");
    }

    @Test
    void aKilledRemoteProxyShowsInStatusAndResyncsWithoutStaleBackends() {
        cluster2.proxy().kill();
        Eventually.await(WAIT, () -> {
            ClusterStatus s = agent1.clusters().get("cluster2");
            assertThat(s.connected()).isFalse();
            assertThat(s.ready()).isFalse();
            assertThat(s.lastFailure()).isNotEmpty();
        });
        // Local backends keep working; cluster2's last known backends are kept (TTL 0).
        awaitBackends(agent1, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U");

        cluster2.manifest("rebel-base.yaml", rebelBase(2, 1, Map.of()));
        cluster2.proxy().restart();
        Eventually.await(WAIT, () -> assertThat(agent1.clusters().get("cluster2").ready()).isTrue());
        awaitBackends(agent1, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U");
    }

    /**
     * Issue 14's freshness: cluster2 unreachable (its relay cut) for longer than stale-after keeps its backends,
     * but they take new connections only while cluster1 has none; back in reach, it is fresh again.
     */
    @Test
    void aClusterUnreachableLongerThanStaleAfterGivesWayToFreshBackendsAndStandsInWhenTheyAreGone() throws Exception {
        Path clusters = dir.resolve("agent-stale");
        cluster1.joinFile("cluster1", clusters);
        RemoteClusterOptions staleAfter5s = new RemoteClusterOptions(Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ofSeconds(3), Duration.ofSeconds(1));
        try (TcpRelay relay = new TcpRelay(cluster2.proxyPort())) {
            cluster2.joinFile("cluster1", clusters, relay.port());
            try (AgentCore agent = new AgentCore(new AgentSettings(new ClusterIdentity("cluster1", 1), "node-7",
                    clusters, Duration.ofMillis(200), staleAfter5s, "memory"), new MemoryDatapath(), AgentObserver.NONE)) {
                agent.start();
                awaitBackends(agent, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U",
                        "cluster2/10.20.1.2 U");
                relay.cut();
                Eventually.await(WAIT, () -> {
                    ClusterStatus s = agent.clusters().get("cluster2");
                    assertThat(s.freshness()).isEqualTo(Freshness.STALE);
                    assertThat(s.freshnessReason()).isEqualTo("unreachable for more than 5s");
                });
                awaitBackends(agent, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1",
                        "cluster2/10.20.1.2");
                assertThat(agent.clusters().get("cluster1").freshness()).isEqualTo(Freshness.FRESH);

                cluster1.manifest("rebel-base.yaml", rebelBase(1, 0, Map.of()));
                awaitBackends(agent, 1, "cluster2/10.20.1.1 U", "cluster2/10.20.1.2 U");

                cluster1.manifest("rebel-base.yaml", rebelBase(1, 2, Map.of()));
                relay.heal();
                Eventually.await(WAIT, () -> assertThat(agent.clusters().get("cluster2").freshness())
                        .isEqualTo(Freshness.FRESH));
                awaitBackends(agent, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U",
                        "cluster2/10.20.1.2 U");
            }
        }
    }

    /**
     * Issue 14's ready = converged: an agent that was ready, whose cluster2 comes back in a new session while its
     * datapath refuses every change, is not ready until the datapath holds cluster2's state as of that session
     * (before, being synced and having programmed once was enough).
     */
    @Test
    void anAgentIsReadyOnlyOnceItsDatapathHoldsEachSyncedClustersNewState() throws Exception {
        Path clusters = dir.resolve("agent-converged");
        cluster1.joinFile("cluster1", clusters);
        Refusing.Datapath datapath = new Refusing.Datapath();
        try (TcpRelay relay = new TcpRelay(cluster2.proxyPort())) {
            cluster2.joinFile("cluster1", clusters, relay.port());
            try (AgentCore agent = new AgentCore(new AgentSettings(new ClusterIdentity("cluster1", 1), "node-8",
                    clusters, Duration.ofMillis(200), FAST, "memory"), datapath, AgentObserver.NONE)) {
                agent.start();
                Eventually.await(WAIT, () -> assertThat(agent.ready()).isTrue());
                Eventually.await(WAIT, () -> assertThat(agent.convergence().get("cluster2").unappliedSinceNanos())
                        .isEmpty());

                datapath.failing = true;
                relay.cut();
                Eventually.await(WAIT, () -> assertThat(agent.clusters().get("cluster2").connected()).isFalse());
                cluster2.manifest("rebel-base.yaml", rebelBase(2, 1, Map.of()));
                relay.heal();
                Eventually.await(WAIT, () -> assertThat(agent.clusters().get("cluster2").ready()).isTrue());
                // Synced, programmed before, and still not ready: cluster2's new state is not in the datapath.
                assertThat(agent.ready()).isFalse();
                MeshView.Convergence c = agent.convergence().get("cluster2");
                assertThat(c.programmed()).isLessThan(c.received());
                assertThat(c.unappliedSinceNanos()).isPresent();

                datapath.failing = false;
                Eventually.await(WAIT, () -> {
                    assertThat(agent.ready()).isTrue();
                    MeshView.Convergence now = agent.convergence().get("cluster2");
                    assertThat(now.programmed()).isGreaterThanOrEqualTo(agent.clusters().get("cluster2").syncedRevision());
                });
                awaitBackends(agent, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U");
            }
        }
    }

    /**
     * Issue 14: an operator sees where a change's time goes. cluster2's proxy measures export and cache and sends
     * its figures in its heartbeat; agent1 measures transit (from heartbeats) and applied (per revision).
     */
    @Test
    void everyStageOfAChangesWayFromCluster2ToAgent1sDatapathIsMeasured() {
        long appliedBefore = samples(agent1, "cluster2", Stage.APPLIED);
        cluster2.manifest("rebel-base.yaml", rebelBase(2, 1, Map.of()));
        awaitBackends(agent1, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U", "cluster2/10.20.1.1 U");
        // The proxy's figures arrive with its next heartbeat (every 2 s here) after the change was exported (its
        // counts start over when an earlier test restarted it, so only their presence is asserted).
        Eventually.await(WAIT, () -> {
            Map<Stage, LatencyWindow.Summary> stages = agent1.propagation().get("cluster2");
            assertThat(stages).as("stages of cluster2").containsOnlyKeys(Stage.values());
            assertThat(stages.get(Stage.APPLIED).samples()).isGreaterThan(appliedBefore);
            assertThat(stages.values()).allSatisfy(f -> assertThat(f.samples()).isPositive());
            assertThat(agent1.propagation().get("cluster1")).as("the own cluster's stages too")
                    .containsKeys(Stage.TRANSIT, Stage.APPLIED);
        });
        Map<Stage, LatencyWindow.Summary> stages = agent1.propagation().get("cluster2");
        // One machine, one clock, an idle mesh: every stage is well under the time this test waited.
        stages.forEach((stage, f) -> assertThat(f.p99Micros()).as(stage.label() + " p99").isLessThan(
                WAIT.toNanos() / 1000).isLessThanOrEqualTo(f.maxMicros()));
    }

    private static long samples(AgentCore agent, String cluster, Stage stage) {
        LatencyWindow.Summary s = agent.propagation().getOrDefault(cluster, Map.of()).get(stage);
        return s == null ? 0 : s.samples();
    }

    /**
     * Issue 14's ready = converged covers network policy too: an agent whose LB maps hold every synced cluster's
     * state, but whose policy datapath refuses the program, is not ready; once the program is enforced, it is.
     */
    @Test
    void anAgentIsNotReadyWhileItsPolicyProgramIsNotEnforced() {
        Path clusters = dir.resolve("agent-policy");
        cluster1.joinFile("cluster1", clusters);
        cluster2.joinFile("cluster1", clusters);
        Refusing.PolicyDatapath policy = new Refusing.PolicyDatapath();
        try (AgentCore agent = new AgentCore(new AgentSettings(new ClusterIdentity("cluster1", 1), "node-7",
                clusters, Duration.ofMillis(200), FAST, "memory"), new MemoryDatapath(), AgentObserver.NONE, policy,
                PolicySettings.DEFAULTS)) {
            agent.start();
            Eventually.await(WAIT, () -> {
                assertThat(agent.settled()).isTrue();
                assertThat(agent.clusters().values()).hasSize(2).allSatisfy(s -> assertThat(
                        agent.convergence().get(s.name()).programmed()).as(s.name())
                        .isGreaterThanOrEqualTo(s.syncedRevision()).isPositive());
                assertThat(agent.policy().state().lastFailure()).isPresent();
            });
            assertThat(agent.policy().caughtUp()).isFalse();
            assertThat(agent.ready()).as("LB maps converged, policy program refused").isFalse();

            policy.failing = false;
            Eventually.await(WAIT, () -> assertThat(agent.ready()).isTrue());
            assertThat(agent.policy().programmed()).isTrue();
        }
    }

    @Test
    void removingAClusterFileRemovesThatClustersBackends() throws Exception {
        Path file = dir.resolve("agent-cluster1").resolve("cluster2");
        String saved = Files.readString(file);
        Files.delete(file);
        try {
            awaitBackends(agent1, 1, "cluster1/10.10.1.1 U", "cluster1/10.10.1.2 U");
            Eventually.await(WAIT, () -> assertThat(agent1.clusters()).doesNotContainKey("cluster2"));
        } finally {
            Files.writeString(file, saved);
        }
    }

    /** Waits until the agent's applied maps hold exactly these backends behind its own rebel-base frontend. */
    private static void awaitBackends(AgentCore agent, int ownId, String... expected) {
        Eventually.await(WAIT, () -> assertThat(backends(agent.applied(), ownId)).containsExactly(expected));
    }

    private static List<String> backends(LbMaps maps, int ownId) {
        LbService s = service(maps, ownId);
        return s.slots().stream().map(slot -> {
            LbBackend b = maps.backends().get(slot.backendId());
            return b.cluster() + "/" + b.ip() + (slot.preferred() ? " P" : "") + (slot.usable() ? " U" : "");
        }).toList();
    }

    private static LbService service(LbMaps maps, int ownId) {
        return maps.services().values().stream().filter(s -> s.frontend().ip().equals(clusterIp(ownId)))
                .findFirst().orElseThrow(() -> new AssertionError("no frontend " + clusterIp(ownId) + " in\n" + maps.dump()));
    }
}
