package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.etcd.TlsFiles;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.SyncCanary;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.TcpRelay;
import dev.clustermesh.testing.etcd.EtcdProcess;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The watcher against a real etcd over real mTLS, partitioned through a real TCP relay. */
@Timeout(120)
class RemoteClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final RemoteClusterOptions FAST =
            new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(3), Duration.ofSeconds(1));

    @TempDir
    Path dir;
    private EtcdProcess etcd;
    private Client writer;
    private TcpRelay relay;
    private Issued client;
    private Ca ca;
    private final RecordingListener seen = new RecordingListener();

    @BeforeEach
    void start() {
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        ca = certs.createCa("mesh-ca");
        Issued server = certs.issueServer(ca, "etcd", List.of("localhost"), List.of("127.0.0.1"));
        client = certs.issueClient(ca, "remote-cluster1");
        etcd = EtcdProcess.builder().dataDir(dir.resolve("etcd"))
                .clientTls(server.certPem(), server.keyPem(), ca.certPem()).start();
        writer = EtcdClients.builder(List.of(etcd.endpoint()),
                Optional.of(TlsFiles.mutual(ca.certPem(), client.certPem(), client.keyPem()))).build();
        relay = new TcpRelay(etcd.clientPort());
    }

    @AfterEach
    void stop() {
        relay.close();
        writer.close();
        etcd.close();
    }

    @Test
    void listsThenWatchesAndBecomesReadyOnceEveryKindIsSynced() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.1").toByteArray());
        try (RemoteCluster rc = watcher("cluster2", FAST)) {
            Eventually.await(WAIT, () -> assertThat(seen.status.get("cluster2").ready()).isTrue());
            assertThat(seen.services).containsKey("cluster2/default/rebel-base");
            assertThat(seen.nodes).containsKey("cluster2/node-a");
            assertThat(seen.configs.get("cluster2").getServiceCidrsList()).containsExactly("10.21.0.0/16");
            ClusterStatus s = rc.status();
            assertThat(s.id()).isEqualTo(2);
            assertThat(s.syncedKinds()).containsExactlyInAnyOrder(ResourceKind.values());
            assertThat(s.lastHeartbeat()).isPresent();

            put(KeyLayout.SERVICES + "cluster2/default/x-wing", service("cluster2", "10.20.0.2").toBuilder()
                    .setName("x-wing").build().toByteArray());
            delete(KeyLayout.SERVICES + "cluster2/default/rebel-base");
            Eventually.await(WAIT, () -> assertThat(seen.services.keySet()).containsExactly("cluster2/default/x-wing"));

            // New ClusterProperties alone are applied within the session: no reconnect, no re-list.
            var since = rc.status().connectedSince();
            put(KeyLayout.CONFIG + "cluster2", ClusterConfig.newBuilder().setName("cluster2").setId(2)
                    .addPodCidrs("10.20.0.0/16").addServiceCidrs("10.21.0.0/16")
                    .putProperties("region.topology.k8s.io", "eu-west").build().toByteArray());
            Eventually.await(WAIT, () -> assertThat(seen.configs.get("cluster2").getPropertiesMap())
                    .containsEntry("region.topology.k8s.io", "eu-west"));
            assertThat(rc.status().connectedSince()).isEqualTo(since);
            assertThat(seen.changes).containsOnlyOnce("+mesh/v1/services/cluster2/default/x-wing");

            // A new ClusterConfig (another service CIDR) under a running session is validated and reported.
            put(KeyLayout.CONFIG + "cluster2", ClusterConfig.newBuilder().setName("cluster2").setId(2)
                    .addServiceCidrs("10.22.0.0/16").build().toByteArray());
            Eventually.await(WAIT, () -> assertThat(seen.configs.get("cluster2").getServiceCidrsList())
                    .containsExactly("10.22.0.0/16"));
        }
        // Closing withdraws what the cluster contributed.
        assertThat(seen.services).isEmpty();
        assertThat(seen.nodes).isEmpty();
        assertThat(seen.configs).isEmpty();
    }

    @Test
    void aPartitionShowsAsAFailureAndTheReListDropsWhatWentAwayMeanwhile() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/a", service("cluster2", "10.20.0.1").toBuilder().setName("a").build().toByteArray());
        put(KeyLayout.SERVICES + "cluster2/default/b", service("cluster2", "10.20.0.2").toBuilder().setName("b").build().toByteArray());
        try (RemoteCluster rc = watcher("cluster2", FAST)) {
            // Ready, not only listed: the list reaches the listener just before the session is marked connected.
            Eventually.await(WAIT, () -> assertThat(rc.status().ready()).isTrue());
            assertThat(seen.services).hasSize(2);
            relay.cut();
            Eventually.await(WAIT, () -> assertThat(rc.status().connected()).isFalse());
            assertThat(rc.status().lastFailure()).isNotEmpty();
            assertThat(rc.status().lastFailureAt()).isPresent();
            assertThat(seen.services).hasSize(2);

            delete(KeyLayout.SERVICES + "cluster2/default/a");
            relay.heal();
            Eventually.await(WAIT, () -> assertThat(rc.status().ready()).isTrue());
            Eventually.await(WAIT, () -> assertThat(seen.services.keySet()).containsExactly("cluster2/default/b"));
            assertThat(seen.changes).containsOnlyOnce("+mesh/v1/services/cluster2/default/b");
        }
    }

    @Test
    void anUnreachableClusterIsWithdrawnAfterItsTtlAndComesBack() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.1").toByteArray());
        RemoteClusterOptions ttl = new RemoteClusterOptions(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(1));
        try (RemoteCluster rc = watcher("cluster2", ttl)) {
            Eventually.await(WAIT, () -> assertThat(rc.status().ready()).isTrue());
            assertThat(seen.services).hasSize(1);
            relay.cut();
            Eventually.await(WAIT, () -> assertThat(rc.status().withdrawn()).isTrue());
            assertThat(seen.services).isEmpty();
            assertThat(seen.configs).isEmpty();
            // The exporter kept beating meanwhile (a cluster whose heartbeat stayed silent that long would be
            // listed and hold nothing until it beats again).
            put(new MeshKey.Heartbeat("cluster2").key(), Heartbeat.newBuilder()
                    .setUnixMillis(System.currentTimeMillis() + 1).setIntervalMillis(300).build().toByteArray());
            relay.heal();
            Eventually.await(WAIT, () -> assertThat(seen.services).hasSize(1));
            Eventually.await(WAIT, () -> {
                assertThat(seen.configs).containsKey("cluster2");
                assertThat(rc.status().withdrawn()).isFalse();
            });
        }
    }

    @Test
    void aReListWithoutSyncCanariesKeepsThePreviousStateAsStaleUntilTheyArrive() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/a", service("cluster2", "10.20.0.1").toBuilder().setName("a").build().toByteArray());
        put(KeyLayout.SERVICES + "cluster2/default/b", service("cluster2", "10.20.0.2").toBuilder().setName("b").build().toByteArray());
        try (RemoteCluster rc = watcher("cluster2", FAST)) {
            Eventually.await(WAIT, () -> {
                assertThat(rc.status().ready()).isTrue();
                assertThat(rc.status().freshness()).isEqualTo(Freshness.FRESH);
            });
            relay.cut();
            Eventually.await(WAIT, () -> assertThat(rc.status().connected()).isFalse());
            // The cluster's etcd comes back empty and its exporter has written nothing but its ClusterConfig yet:
            // an empty list must not withdraw what the cluster had.
            writer.getKVClient().delete(ByteSequence.from("mesh/v1/", StandardCharsets.UTF_8),
                    DeleteOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
            put(KeyLayout.CONFIG + "cluster2", ClusterConfig.newBuilder().setName("cluster2").setId(2)
                    .addPodCidrs("10.20.0.0/16").addServiceCidrs("10.21.0.0/16").build().toByteArray());
            relay.heal();
            Eventually.await(WAIT, () -> {
                assertThat(rc.status().connected()).isTrue();
                assertThat(rc.status().freshness()).isEqualTo(Freshness.STALE);
                assertThat(seen.status.get("cluster2").stale()).isTrue();
            });
            assertThat(rc.status().freshnessReason()).startsWith("the re-list lacked the sync canaries of services");
            assertThat(seen.services.keySet()).containsExactlyInAnyOrder("cluster2/default/a", "cluster2/default/b");
            assertThat(seen.nodes).containsKey("cluster2/node-a");

            // The exporter re-exports b (a is gone from its source), then its canaries: only then a goes.
            put(KeyLayout.SERVICES + "cluster2/default/b", service("cluster2", "10.20.0.3").toBuilder().setName("b").build().toByteArray());
            Eventually.await(WAIT, () -> assertThat(seen.services.get("cluster2/default/b").getBackends(0).getIp())
                    .isEqualTo("10.20.0.3"));
            assertThat(seen.services).containsKey("cluster2/default/a");
            exportCluster("cluster2", 2);
            Eventually.await(WAIT, () -> {
                assertThat(seen.services.keySet()).containsExactly("cluster2/default/b");
                assertThat(rc.status().freshness()).isEqualTo(Freshness.FRESH);
            });
        }
    }

    @Test
    void aClusterWhoseHeartbeatStopsIsStaleWhileStillConnectedAndFreshWhenItBeatsAgain() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.1").toByteArray());
        RemoteClusterOptions quick = new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(3),
                Duration.ofSeconds(1));
        try (RemoteCluster rc = watcher("cluster2", quick)) {
            Eventually.await(WAIT, () -> {
                assertThat(rc.status().freshness()).isEqualTo(Freshness.STALE);
                assertThat(seen.status.get("cluster2").stale()).isTrue();
            });
            assertThat(rc.status().connected()).isTrue();
            assertThat(rc.status().freshnessReason()).isEqualTo("no new heartbeat for more than 1s");
            assertThat(seen.services).hasSize(1);
            put(new MeshKey.Heartbeat("cluster2").key(), Heartbeat.newBuilder()
                    .setUnixMillis(System.currentTimeMillis() + 1).setIntervalMillis(300).build().toByteArray());
            Eventually.await(WAIT, () -> assertThat(seen.status.get("cluster2").freshness()).isEqualTo(Freshness.FRESH));
        }
    }

    @Test
    void aConnectedClusterWhoseHeartbeatStaysSilentForTheTtlIsWithdrawnUntilItBeatsAgain() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.1").toByteArray());
        RemoteClusterOptions ttl2s = new RemoteClusterOptions(Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ofSeconds(1));
        try (RemoteCluster rc = watcher("cluster2", ttl2s)) {
            Eventually.await(WAIT, () -> {
                assertThat(rc.status().withdrawn()).isTrue();
                assertThat(seen.services).isEmpty();
            });
            assertThat(rc.status().connected()).isTrue();
            assertThat(rc.status().freshnessReason()).isEqualTo("no new heartbeat for more than 2s: state withdrawn");
            // Nothing is held until the heartbeat says the exporter lives; then a new list brings all of it.
            put(KeyLayout.SERVICES + "cluster2/default/x-wing", service("cluster2", "10.20.0.2").toBuilder()
                    .setName("x-wing").build().toByteArray());
            put(new MeshKey.Heartbeat("cluster2").key(), Heartbeat.newBuilder()
                    .setUnixMillis(System.currentTimeMillis() + 1).setIntervalMillis(300).build().toByteArray());
            Eventually.await(WAIT, () -> {
                assertThat(seen.services.keySet()).containsExactlyInAnyOrder("cluster2/default/rebel-base",
                        "cluster2/default/x-wing");
                assertThat(rc.status().freshness()).isEqualTo(Freshness.FRESH);
            });
        }
    }

    @Test
    void aReconnectionWaitingForItsLongRequestTimeoutDoesNotHoldTheWithdrawalBack() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.1").toByteArray());
        // Reconnection attempts against a refused port wait for their request timeout, on the thread that also runs
        // the withdrawal: with 60 s against a TTL of 1 s, the cluster must still go at about its TTL.
        RemoteClusterOptions slow = new RemoteClusterOptions(Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofMillis(200));
        try (RemoteCluster rc = watcher("cluster2", slow)) {
            Eventually.await(WAIT, () -> assertThat(rc.status().ready()).isTrue());
            relay.cut();
            Eventually.await(Duration.ofSeconds(15), () -> assertThat(rc.status().withdrawn()).isTrue());
            assertThat(seen.services).isEmpty();
        }
    }

    @Test
    void aConfigForAnotherClusterOrATakenIdKeepsTheClusterDisconnectedWithTheReason() throws Exception {
        ClusterRegistry registry = new ClusterRegistry();
        registry.claim("cluster1", 2);
        exportCluster("cluster2", 2);
        put(KeyLayout.CONFIG + "cluster3", ClusterConfig.newBuilder().setName("cluster9").setId(3).build().toByteArray());
        try (RemoteCluster taken = new RemoteCluster(config("cluster2"), false, registry, seen, FAST);
                RemoteCluster wrong = new RemoteCluster(config("cluster3"), false, registry, seen, FAST);
                RemoteCluster missing = new RemoteCluster(config("cluster4"), false, registry, seen, FAST)) {
            taken.start();
            wrong.start();
            missing.start();
            Eventually.await(WAIT, () -> {
                assertThat(taken.status().lastFailure()).isEqualTo("cluster id 2 of 'cluster2' is already used by cluster 'cluster1'");
                assertThat(wrong.status().lastFailure()).contains("ClusterConfig names cluster 'cluster9'");
                assertThat(missing.status().lastFailure()).contains("no ClusterConfig at mesh/v1/config/cluster4");
            });
            assertThat(List.of(taken.status(), wrong.status(), missing.status())).noneMatch(ClusterStatus::connected);
            assertThat(seen.services).isEmpty();
        }
    }

    @Test
    void aListLargerThanGrpcsDefaultMessageLimitIsRead() throws Exception {
        exportCluster("cluster2", 2);
        ClusterService big = service("cluster2", "10.20.0.1");
        ClusterService.Builder b = big.toBuilder();
        for (int i = 0; i < 20_000; i++) {
            b.addBackends(big.getBackends(0).toBuilder().setIp("10.21." + (i / 250) + "." + (i % 250)).setHostname("h" + i));
        }
        for (int s = 0; s < 8; s++) {
            put(KeyLayout.SERVICES + "cluster2/default/big-" + s, b.setName("big-" + s).build().toByteArray());
        }
        try (RemoteCluster rc = watcher("cluster2", FAST)) {
            // The list reaches the listener just before the session is marked connected: both, eventually.
            Eventually.await(WAIT, () -> {
                assertThat(seen.services).hasSize(8);
                assertThat(rc.status().ready()).isTrue();
            });
        }
    }

    @Test
    void badValuesAreReportedAndSkipped() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/broken", new byte[] {1, 2, 3});
        put(KeyLayout.SERVICES + "cluster2/default/liar", service("cluster2", "10.20.0.9").toByteArray());
        put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.1").toByteArray());
        try (RemoteCluster rc = watcher("cluster2", FAST)) {
            Eventually.await(WAIT, () -> assertThat(rc.status().ready()).isTrue());
            assertThat(seen.services.keySet()).containsExactly("cluster2/default/rebel-base");
            assertThat(seen.invalid).hasSize(2).anyMatch(s -> s.contains("not the key's cluster2/default/liar"));
        }
    }

    /**
     * Found by the campaign with two proxy replicas: a client over both spread a session's calls, so the heartbeat
     * could come from one replica and stale data from the other. A session now uses one endpoint, and the next one
     * after a failure.
     */
    @Test
    void aSessionTalksToOneEndpointOnlyAndTheNextSessionToTheOtherWhenItFails() throws Exception {
        exportCluster("cluster2", 2);
        put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.1").toByteArray());
        try (TcpRelay second = new TcpRelay(etcd.clientPort());
                RemoteCluster rc = new RemoteCluster(config("cluster2", relay.port(), second.port()), false,
                        new ClusterRegistry(), seen, FAST)) {
            rc.start();
            Eventually.await(WAIT, () -> assertThat(rc.status().ready()).isTrue());
            Eventually.await(WAIT, () -> assertThat(relay.connections() + second.connections()).isEqualTo(1));
            TcpRelay used = relay.connections() == 1 ? relay : second;
            TcpRelay other = used == relay ? second : relay;
            used.cut();
            put(KeyLayout.SERVICES + "cluster2/default/rebel-base", service("cluster2", "10.20.0.2").toByteArray());
            Eventually.await(WAIT, () -> {
                assertThat(seen.services.get("cluster2/default/rebel-base").getBackends(0).getIp())
                        .isEqualTo("10.20.0.2");
                assertThat(rc.status().ready()).isTrue();
                assertThat(other.connections()).isEqualTo(1);
            });
            used.heal();
            assertThat(used.connections()).isZero();
        }
    }

    private RemoteCluster watcher(String name, RemoteClusterOptions options) throws Exception {
        RemoteCluster rc = new RemoteCluster(config(name), false, new ClusterRegistry(), seen, options);
        rc.start();
        return rc;
    }

    private RemoteClusterConfig config(String name, int... ports) throws Exception {
        Path file = dir.resolve("clusters").resolve(name);
        Files.createDirectories(file.getParent());
        StringBuilder endpoints = new StringBuilder("endpoints:\n");
        for (int p : ports.length == 0 ? new int[] {relay.port()} : ports) {
            endpoints.append("- https://127.0.0.1:").append(p).append('\n');
        }
        Files.writeString(file, endpoints
                + "trusted-ca-file: " + ca.certPem() + "\ncert-file: " + client.certPem() + "\nkey-file: " + client.keyPem() + "\n");
        return RemoteClusterConfig.read(file);
    }

    private void exportCluster(String name, int id) throws Exception {
        put(KeyLayout.CONFIG + name, ClusterConfig.newBuilder().setName(name).setId(id)
                .addPodCidrs("10." + (id * 10) + ".0.0/16").addServiceCidrs("10." + (id * 10 + 1) + ".0.0/16")
                .build().toByteArray());
        put(new MeshKey.Node(name, "node-a").key(), Node.newBuilder().setCluster(name).setName("node-a").build().toByteArray());
        put(new MeshKey.Heartbeat(name).key(), Heartbeat.newBuilder().setUnixMillis(System.currentTimeMillis())
                .setIntervalMillis(300).build().toByteArray());
        for (ResourceKind k : ResourceKind.values()) {
            put(new MeshKey.Synced(name, k).key(), SyncCanary.newBuilder().setUnixMillis(1).build().toByteArray());
        }
    }

    static ClusterService service(String cluster, String ip) {
        return ClusterService.newBuilder().setCluster(cluster).setNamespace("default").setName("rebel-base").setShared(true)
                .addBackends(Backend.newBuilder().setIp(ip).setState(BackendState.BACKEND_STATE_ACTIVE)).build();
    }

    private void put(String key, byte[] value) throws Exception {
        writer.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
                .get(10, TimeUnit.SECONDS);
    }

    private void delete(String key) throws Exception {
        writer.getKVClient().delete(ByteSequence.from(key, StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    }
}
