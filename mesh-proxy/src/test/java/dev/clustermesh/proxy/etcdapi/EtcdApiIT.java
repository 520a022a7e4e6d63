package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.grpc.ExceptionHandlerProvider;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The read-only etcd v3 API through jetcd over real mTLS, against a real upstream etcd. */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class EtcdApiIT {

    @Inject
    ExceptionHandlerProvider errors;

    @Test
    void anUnexpectedFailureAnswersInternalNamingNoClass() {
        assertThat(errors.transform(new IllegalStateException("boom in dev.clustermesh.Secret")))
                .hasMessage("INTERNAL: mesh-proxy failed to answer; see its log");
    }

    private static Client upstream;
    private static Client local;
    private static Client remote;

    @BeforeAll
    static void connect() throws Exception {
        upstream = ProxyClients.upstream();
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        local = ProxyClients.proxy(env.local());
        remote = ProxyClients.proxy(env.remote());
        upstream.getKVClient().put(bytes("mesh/v1/services/cluster1/default/rebel-base"), bytes("svc")).get();
        upstream.getKVClient().put(bytes("mesh/v1/local/services/cluster1/default/secret"), bytes("local")).get();
        upstream.getKVClient().put(bytes("mesh/v1/config/cluster1"), bytes("cfg")).get();
        upstream.getKVClient().put(bytes("outside/mesh"), bytes("x")).get();
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
    void localIdentityReadsEverythingUnderMeshWithEtcdsRevisions() throws Exception {
        GetResponse direct = upstream.getKVClient().get(bytes("mesh/v1/"), prefix()).get();
        Eventually.await(Duration.ofSeconds(20), () -> {
            GetResponse viaProxy = local.getKVClient().get(bytes("mesh/v1/"), prefix()).get(5, TimeUnit.SECONDS);
            assertThat(keys(viaProxy)).containsAll(keys(direct)).contains("mesh/v1/local/services/cluster1/default/secret");
            KeyValue svc = find(viaProxy, "mesh/v1/services/cluster1/default/rebel-base");
            assertThat(svc.getModRevision()).isEqualTo(find(direct, "mesh/v1/services/cluster1/default/rebel-base").getModRevision());
            assertThat(svc.getValue().toString()).isEqualTo("svc");
        });
        GetResponse limited = local.getKVClient().get(bytes("mesh/v1/"),
                GetOption.builder().isPrefix(true).withLimit(1).build()).get(5, TimeUnit.SECONDS);
        assertThat(limited.getKvs()).hasSize(1);
        assertThat(limited.isMore()).isTrue();
        assertThat(limited.getCount()).isGreaterThanOrEqualTo(3);
        GetResponse countOnly = local.getKVClient().get(bytes("mesh/v1/"),
                GetOption.builder().isPrefix(true).withCountOnly(true).build()).get(5, TimeUnit.SECONDS);
        assertThat(countOnly.getKvs()).isEmpty();
        assertThat(countOnly.getCount()).isEqualTo(limited.getCount());
    }

    @Test
    void remoteIdentityReadsSharedPrefixesOnly() throws Exception {
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(keys(remote.getKVClient()
                .get(bytes("mesh/v1/services/"), prefix()).get(5, TimeUnit.SECONDS)))
                .contains("mesh/v1/services/cluster1/default/rebel-base"));
        assertDenied(() -> remote.getKVClient().get(bytes("mesh/v1/local/"), prefix()).get(5, TimeUnit.SECONDS));
        assertDenied(() -> remote.getKVClient().get(bytes("mesh/v1/"), prefix()).get(5, TimeUnit.SECONDS));
        assertDenied(() -> local.getKVClient().get(bytes("outside/mesh")).get(5, TimeUnit.SECONDS));
    }

    @Test
    void unknownIdentityIsRefused() {
        try (Client stranger = ProxyClients.proxy(ProxyTestEnvironment.current().unknown())) {
            assertDenied(() -> stranger.getKVClient().get(bytes("mesh/v1/config/cluster1")).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void writesAreRefusedAndEtcdIsUnchanged() throws Exception {
        long before = upstream.getKVClient().get(bytes("mesh/v1/"), prefix()).get().getHeader().getRevision();
        assertDenied(() -> local.getKVClient().put(bytes("mesh/v1/config/cluster1"), bytes("evil")).get(5, TimeUnit.SECONDS));
        assertDenied(() -> local.getKVClient().delete(bytes("mesh/v1/config/cluster1")).get(5, TimeUnit.SECONDS));
        assertDenied(() -> local.getKVClient().txn().Then(Op.put(bytes("mesh/v1/x"), bytes("y"), PutOption.DEFAULT))
                .commit().get(5, TimeUnit.SECONDS));
        assertDenied(() -> local.getKVClient().compact(1).get(5, TimeUnit.SECONDS));
        assertDenied(() -> local.getLeaseClient().grant(10).get(5, TimeUnit.SECONDS));
        GetResponse after = upstream.getKVClient().get(bytes("mesh/v1/"), prefix()).get();
        assertThat(after.getHeader().getRevision()).isEqualTo(before);
        assertThat(find(after, "mesh/v1/config/cluster1").getValue().toString()).isEqualTo("cfg");
    }

    @Test
    void readOnlyTxnEvaluatesComparesAgainstTheCache() throws Exception {
        Eventually.await(Duration.ofSeconds(20), () -> {
            var r = local.getKVClient().txn()
                    .If(new Cmp(bytes("mesh/v1/config/cluster1"), Cmp.Op.EQUAL, CmpTarget.value(bytes("cfg"))))
                    .Then(Op.get(bytes("mesh/v1/config/cluster1"), GetOption.DEFAULT))
                    .commit().get(5, TimeUnit.SECONDS);
            assertThat(r.isSucceeded()).isTrue();
            assertThat(r.getGetResponses().get(0).getKvs().get(0).getValue().toString()).isEqualTo("cfg");
        });
    }

    @Test
    void watchSeesEveryChangeWithRevisionsAndPreviousValues() throws Exception {
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        String key = "mesh/v1/nodes/cluster1/node-w";
        long start = upstream.getKVClient().get(bytes(key)).get().getHeader().getRevision() + 1;
        try (Watch.Watcher w = local.getWatchClient().watch(bytes("mesh/v1/nodes/"),
                WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(start).build(),
                (WatchResponse r) -> seen.addAll(r.getEvents()))) {
            upstream.getKVClient().put(bytes(key), bytes("v1")).get();
            upstream.getKVClient().put(bytes(key), bytes("v2")).get();
            long deleted = upstream.getKVClient().delete(bytes(key)).get().getHeader().getRevision();
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(seen).hasSize(3));
            assertThat(seen).extracting(WatchEvent::getEventType)
                    .containsExactly(WatchEvent.EventType.PUT, WatchEvent.EventType.PUT, WatchEvent.EventType.DELETE);
            assertThat(seen.get(1).getPrevKV().getValue().toString()).isEqualTo("v1");
            assertThat(seen.get(2).getKeyValue().getModRevision()).isEqualTo(deleted);
        }
    }

    @Test
    void remoteWatchOnLocalPrefixIsCanceledWithPermissionDenied() {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Watch.Watcher w = remote.getWatchClient().watch(bytes("mesh/v1/local/"),
                WatchOption.builder().isPrefix(true).build(), Watch.listener(r -> { }, errors::add))) {
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(errors).isNotEmpty());
        }
        assertThat(errors.get(0)).hasMessageContaining("permission denied");
    }

    /**
     * PERMISSION_DENIED with exactly etcd's description, which Go clients map to their permission error; the
     * reason travels in a trailer (checked in {@link SlowWatcherIT}), which jetcd does not expose.
     */
    static void assertDenied(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                        .isEqualTo(Status.Code.PERMISSION_DENIED))
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getDescription())
                        .isEqualTo(ApiErrors.PERMISSION_DENIED));
    }

    static GetOption prefix() {
        return GetOption.builder().isPrefix(true).build();
    }

    static List<String> keys(GetResponse r) {
        return r.getKvs().stream().map(kv -> kv.getKey().toString()).toList();
    }

    static KeyValue find(GetResponse r, String key) {
        return r.getKvs().stream().filter(kv -> kv.getKey().toString().equals(key)).findFirst().orElseThrow();
    }

    static Issued local() {
        return ProxyTestEnvironment.current().local();
    }
}
