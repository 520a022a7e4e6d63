package dev.clustermesh.proxy.export;

import dev.clustermesh.testing.TcpRelay;
import dev.clustermesh.testing.Eventually;
import static dev.clustermesh.proxy.export.Manifests.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proxy.export.etcd.OwnKeys;
import dev.clustermesh.proxy.export.source.DirectorySource;
import dev.clustermesh.testing.etcd.EtcdExtension;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two exporter replicas of one cluster on one real etcd, in one JVM. */
@Timeout(120)
class ElectionIT {
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String HEARTBEAT = "mesh/v1/heartbeat/cluster1";

    @RegisterExtension
    final EtcdExtension etcd = new EtcdExtension();

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** One replica: its own network path and jetcd client (its "process"), exporter and meters. */
    private record Replica(String identity, TcpRelay network, Client client, Exporter exporter,
            SimpleMeterRegistry registry) {
        double written() {
            return registry.get("mesh.export.keys.written").counter().count();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Test
    void oneLeaderWritesAndAnotherTakesOverWithinTheTtlWhenItDies() throws Exception {
        Manifests.copyAll(dir);
        Client observer = client();
        ClusterConfig config = Manifests.settings("x", TTL, Duration.ofMillis(500)).clusterConfig();
        Map<String, Message> expected = Manifests.expectedData(config, dir);
        Replica a = replica("replica-a");
        Replica b = replica("replica-b");

        Eventually.await(WAIT, () -> assertThat(a.exporter().isLeader() ^ b.exporter().isLeader()).isTrue());
        Replica leader = a.exporter().isLeader() ? a : b;
        Replica follower = leader == a ? b : a;
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.data(observer, CLUSTER))
                .containsExactlyInAnyOrderEntriesOf(expected));
        assertThat(electionValue(observer)).isEqualTo(leader.identity());
        List<String> writers = new CopyOnWriteArrayList<>();
        Watch.Watcher heartbeats = observer.getWatchClient().watch(EtcdKeys.bytes(HEARTBEAT), r -> r.getEvents()
                .stream().filter(e -> e.getEventType() == WatchEvent.EventType.PUT)
                .forEach(e -> writers.add(heartbeatWriter(e))));
        Eventually.await(WAIT, () -> assertThat(writers).hasSizeGreaterThanOrEqualTo(3));
        heartbeats.close();
        assertThat(writers).containsOnly(leader.identity());
        assertThat(follower.written()).as("the follower never writes").isZero();
        assertThat(follower.exporter().isLeader()).isFalse();

        // A dead process: its connections are gone at once, it cannot revoke its lease, its client is closed.
        leader.network().cut();
        long killed = System.nanoTime();
        leader.client().close();
        Eventually.await(TTL.plus(WAIT), () -> assertThat(follower.exporter().isLeader()).isTrue());
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("election: %s took over %d ms after %s died (lease TTL %s)%n", follower.identity(),
                takeover.toMillis(), leader.identity(), TTL);
        // The lease expires at most one TTL after the dead leader's last renewal, which came before the kill;
        // etcd only checks expiry every 500 ms and applies the revoke through raft, so allow a little on top.
        assertThat(takeover).isLessThanOrEqualTo(TTL.plusMillis(1500));
        assertThat(electionValue(observer)).isEqualTo(follower.identity());
        Eventually.await(WAIT, () -> assertThat(((Heartbeat) EtcdKeys.get(observer, HEARTBEAT)).getWriter())
                .isEqualTo(follower.identity()));
        Eventually.await(WAIT, () -> assertThat(leader.exporter().isLeader()).isFalse());
        assertThat(EtcdKeys.data(observer, CLUSTER)).containsExactlyInAnyOrderEntriesOf(expected);
        for (ResourceKind k : ResourceKind.values()) {
            assertThat(EtcdKeys.get(observer, new MeshKey.Synced(CLUSTER, k).key())).isNotNull();
        }

        write("extra.yaml", Files.readString(Manifests.source().resolve("cache.yaml"))
                .replace("name: cache", "name: extra").replace("cache-", "extra-").replace("10.10.2.20", "10.10.2.21"));
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.data(observer, CLUSTER))
                .containsExactlyInAnyOrderEntriesOf(Manifests.expectedData(config, dir))
                .containsKey("mesh/v1/services/cluster1/infra/extra"));
        assertThat(follower.written()).isPositive();
    }

    private Replica replica(String identity) {
        TcpRelay network = new TcpRelay(etcd.clientPort());
        resources.add(network);
        Client c = client("http://127.0.0.1:" + network.port());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Exporter e = Exporter.create(Manifests.settings(identity, TTL, Duration.ofMillis(500)), c,
                new DirectorySource(dir, registry), registry);
        resources.add(e);
        e.start();
        return new Replica(identity, network, c, e, registry);
    }

    private Client client() {
        return client(etcd.endpoint());
    }

    private Client client(String endpoint) {
        Client c = Client.builder().endpoints(endpoint).build();
        resources.add(c);
        return c;
    }

    private static String electionValue(Client observer) throws Exception {
        String key = new OwnKeys(CLUSTER).electionKey();
        return EtcdKeys.under(observer, key).get(key).getValue().toString();
    }

    private static String heartbeatWriter(WatchEvent e) {
        try {
            return Heartbeat.parseFrom(e.getKeyValue().getValue().getBytes()).getWriter();
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            return "undecodable: " + ex.getMessage();
        }
    }

    private void write(String name, String text) throws Exception {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
