package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.proxy.GoPeer;
import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17's differences a client could notice, each through a real client: jetcd, etcdctl 3.4, and the Go
 * etcd client ({@link GoPeer}). Pages at a fixed revision, negative revisions, the header revision after writes
 * outside {@code mesh/v1/}, count before filters, LEASE compares, lease reads, MemberList and Sync, empty keys,
 * PERMISSION_DENIED as Go clients recognise it.
 */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(180)
class EtcdCompatIT {
    private static Client upstream;
    private static Client local;
    private static Client remote;

    @BeforeAll
    @Timeout(600)
    static void connect() {
        GoPeer.binary();
        upstream = ProxyClients.upstream();
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        local = ProxyClients.proxy(env.local());
        remote = ProxyClients.proxy(env.remote());
    }

    @AfterAll
    static void close() {
        for (Client c : new Client[] {upstream, local, remote}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void pagesAtTheFirstPagesRevisionSurviveChangesInBetween() throws Exception {
        for (int i = 0; i < 10; i++) {
            put("mesh/v1/pages/k" + i, "v" + i);
        }
        long seeded = caughtUp();
        GetResponse first = local.getKVClient().get(bytes("mesh/v1/pages/"),
                GetOption.builder().isPrefix(true).withLimit(4).build()).get(5, TimeUnit.SECONDS);
        long at = first.getHeader().getRevision();
        assertThat(at).isGreaterThanOrEqualTo(seeded);
        assertThat(first.isMore()).isTrue();
        // Changes between the pages, inside the range of page 2.
        put("mesh/v1/pages/k4", "changed");
        put("mesh/v1/pages/k4a", "new");
        upstream.getKVClient().delete(bytes("mesh/v1/pages/k5")).get();
        caughtUp();

        GetResponse second = local.getKVClient().get(bytes("mesh/v1/pages/k3\0"), GetOption.builder()
                .withRange(bytes("mesh/v1/pages0")).withLimit(4).withRevision(at).build()).get(5, TimeUnit.SECONDS);
        assertThat(second.getKvs()).extracting(kv -> kv.getKey().toString() + "=" + kv.getValue())
                .containsExactly("mesh/v1/pages/k4=v4", "mesh/v1/pages/k5=v5", "mesh/v1/pages/k6=v6",
                        "mesh/v1/pages/k7=v7");
        assertThat(second.getCount()).isEqualTo(6);
        assertThat(second.isMore()).isTrue();
        assertThat(second.getHeader().getRevision()).isGreaterThan(at);
    }

    @Test
    void aNegativeRevisionMeansTheCurrentOne() throws Exception {
        put("mesh/v1/negative", "now");
        long current = caughtUp();
        GetResponse r = local.getKVClient().get(bytes("mesh/v1/negative"), GetOption.builder().withRevision(-1).build())
                .get(5, TimeUnit.SECONDS);
        assertThat(r.getKvs()).extracting(kv -> kv.getValue().toString()).containsExactly("now");
        assertThat(r.getHeader().getRevision()).isGreaterThanOrEqualTo(current);
    }

    @Test
    void theHeaderRevisionFollowsWritesOutsideMesh() throws Exception {
        put("mesh/v1/outside-test", "x");
        caughtUp();
        long etcdRevision = upstream.getKVClient().put(bytes("outside/mesh/x"), bytes("y")).get().getHeader().getRevision();
        // A client that learnt etcd's revision elsewhere reads at it: answered, not "future revision".
        GetResponse at = local.getKVClient().get(bytes("mesh/v1/outside-test"),
                GetOption.builder().withRevision(etcdRevision).build()).get(10, TimeUnit.SECONDS);
        assertThat(at.getHeader().getRevision()).isGreaterThanOrEqualTo(etcdRevision);
        long later = upstream.getKVClient().put(bytes("outside/mesh/x"), bytes("z")).get().getHeader().getRevision();
        Eventually.await(Duration.ofSeconds(10), () -> assertThat(local.getKVClient().get(bytes("mesh/v1/outside-test"))
                .get(5, TimeUnit.SECONDS).getHeader().getRevision()).isEqualTo(later));
    }

    @Test
    void countIsTheRangesSizeBeforeTheRevisionFilters() throws Exception {
        put("mesh/v1/count/a", "1");
        put("mesh/v1/count/b", "2");
        long last = upstream.getKVClient().put(bytes("mesh/v1/count/c"), bytes("3")).get().getHeader().getRevision();
        awaitProxyAt(last);
        GetResponse r = local.getKVClient().get(bytes("mesh/v1/count/"),
                GetOption.builder().isPrefix(true).withMinModRevision(last).build()).get(5, TimeUnit.SECONDS);
        assertThat(r.getKvs()).extracting(kv -> kv.getKey().toString()).containsExactly("mesh/v1/count/c");
        assertThat(r.getCount()).isEqualTo(3);
    }

    @Test
    void leasesCanBeComparedAndRead() throws Exception {
        long lease = upstream.getLeaseClient().grant(300).get().getID();
        upstream.getKVClient().put(bytes("mesh/v1/leased/svc"), bytes("x"), PutOption.builder().withLeaseId(lease).build()).get();
        upstream.getKVClient().put(bytes("mesh/v1/local/leased"), bytes("x"), PutOption.builder().withLeaseId(lease).build()).get();
        caughtUp();
        ProxyTestEnvironment env = ProxyTestEnvironment.current();

        assertThat(leaseCompare(lease).get("succeeded")).isEqualTo("true");
        assertThat(leaseCompare(lease + 1).get("succeeded")).isEqualTo("false");

        LeaseTimeToLiveResponse ttl = local.getLeaseClient().timeToLive(lease, LeaseOption.builder().withAttachedKeys().build())
                .get(5, TimeUnit.SECONDS);
        assertThat(ttl.getTTL()).isPositive();
        assertThat(ttl.getKeys()).extracting(ByteSequence::toString)
                .contains("mesh/v1/leased/svc", "mesh/v1/local/leased");
        LeaseTimeToLiveResponse remoteTtl = remote.getLeaseClient()
                .timeToLive(lease, LeaseOption.builder().withAttachedKeys().build()).get(5, TimeUnit.SECONDS);
        assertThat(remoteTtl.getKeys()).extracting(ByteSequence::toString).doesNotContain("mesh/v1/local/leased");

        Command.Result list = ProxyClients.etcdctl(env.local()).run("lease", "list");
        assertThat(list.exitCode()).as(list.output()).isZero();
        assertThat(list.output()).contains(Long.toHexString(lease));
        assertThatThrownBy(() -> local.getLeaseClient().grant(10).get(5, TimeUnit.SECONDS))
                .hasMessageContaining("etcdserver: permission denied");
    }

    @Test
    void memberListNamesTheProxySoThatSyncKeepsUsingIt() {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        Command.Result members = ProxyClients.etcdctl(env.local()).run("member", "list");
        assertThat(members.exitCode()).as(members.output()).isZero();
        assertThat(members.output()).contains("mesh-proxy-cluster1", env.apiEndpoint());

        put("mesh/v1/synced", "yes");
        GoPeer.Run sync = GoPeer.run(Duration.ofSeconds(60), "sync", args(env, "-on", "mesh/v1/synced"));
        assertThat(sync.get("sync_error")).as(sync.output()).isEmpty();
        assertThat(sync.get("endpoints")).isEqualTo(env.apiEndpoint());
        assertThat(sync.get("get_error")).isEmpty();
        assertThat(sync.number("get_count")).isEqualTo(1);
    }

    @Test
    void anEmptyKeyIsInvalidArgumentAsInEtcd() {
        assertThatThrownBy(() -> local.getKVClient().get(ByteSequence.EMPTY).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("etcdserver: key is not provided");
    }

    @Test
    void permissionDeniedIsTheErrorGoClientsRecognise() {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        GoPeer.Run write = GoPeer.run(Duration.ofSeconds(60), "denied", args(env, "-on", "mesh/v1/x"));
        assertThat(write.get("is_permission_denied")).as(write.output()).isEqualTo("true");
        List<String> remoteArgs = new ArrayList<>(GoPeer.tls(env.remote()));
        remoteArgs.addAll(List.of("-on", "mesh/v1/local/x"));
        assertThat(GoPeer.run(Duration.ofSeconds(60), "denied", remoteArgs).get("is_permission_denied")).isEqualTo("true");
    }

    private static GoPeer.Run leaseCompare(long lease) {
        return GoPeer.run(Duration.ofSeconds(60), "lease-compare",
                args(ProxyTestEnvironment.current(), "-on", "mesh/v1/leased/svc", "-lease", Long.toString(lease)));
    }

    private static List<String> args(ProxyTestEnvironment env, String... more) {
        List<String> args = new ArrayList<>(GoPeer.tls(env.local()));
        args.addAll(List.of(more));
        return args;
    }

    private static void put(String key, String value) {
        try {
            upstream.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("put " + key, e);
        }
    }

    /** Waits until the proxy has etcd's current revision; returns it. */
    private static long caughtUp() throws Exception {
        long revision = upstream.getKVClient().get(bytes("mesh/v1/")).get().getHeader().getRevision();
        awaitProxyAt(revision);
        return revision;
    }

    private static void awaitProxyAt(long revision) {
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(local.getKVClient().get(bytes("mesh/v1/"))
                .get(5, TimeUnit.SECONDS).getHeader().getRevision()).isGreaterThanOrEqualTo(revision));
    }
}
