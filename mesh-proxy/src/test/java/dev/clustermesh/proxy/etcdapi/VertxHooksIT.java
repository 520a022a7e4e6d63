package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.proxy.vertx.VertxHooks;
import dev.clustermesh.proxy.vertx.VertxHooks.Hook;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.etcd.Etcdctl;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each hook into Vert.x ({@code dev.clustermesh.proxy.vertx}) against the running server over real mTLS, with
 * what it buys a user: if a Quarkus or Vert.x upgrade breaks one, the test names it. (Open watches are read
 * from {@link ApiMetrics}, not the registry: a gauge registered again after a test restart of Quarkus keeps
 * the first instance's value.)
 */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class VertxHooksIT {
    private static Client upstream;

    @Inject
    VertxHooks hooks;

    @Inject
    MeterRegistry registry;

    @Inject
    ApiMetrics metrics;

    @BeforeAll
    static void seed() throws Exception {
        upstream = ProxyClients.upstream();
        upstream.getKVClient().put(bytes("mesh/v1/config/cluster1"), bytes("cluster1-config")).get();
    }

    @AfterAll
    static void close() {
        upstream.close();
    }

    @Test
    void connectionWatchReleasesAKilledClientsWatchAndNamesTheDialledAddress() throws Exception {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        Etcdctl etcdctl = ProxyClients.etcdctl(env.local());
        long before = hooks.attachedCount(Hook.CONNECTION_WATCH);
        Path out = Files.createTempFile("etcdctl-watch", ".out");
        Process watch = new ProcessBuilder(etcdctl.command("watch", "--prefix", "mesh/v1/services/"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(watchers())
                    .as(() -> "etcdctl watch said: " + output(out)).isEqualTo(1));
            upstream.getKVClient().put(bytes("mesh/v1/services/cluster1/default/x-wing"), bytes("watched")).get();
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(Files.readString(out, StandardCharsets.UTF_8))
                    .contains("PUT", "mesh/v1/services/cluster1/default/x-wing", "watched"));
        } finally {
            // kill -9: the client vanishes without closing its stream; only the connection's close tells.
            watch.destroyForcibly().waitFor();
        }
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(watchers()).isZero());
        assertThat(hooks.attachedCount(Hook.CONNECTION_WATCH)).isGreaterThan(before);

        Command.Result members = etcdctl.run("member", "list");
        assertThat(members.exitCode()).as(members.output()).isZero();
        assertThat(members.output()).contains(env.apiEndpoint());
        assertThat(hooks.missedCount(Hook.CONNECTION_WATCH)).isZero();
    }

    @Test
    void flushBatchingIsOnEachNewHttp2Connection() throws Exception {
        long before = hooks.attachedCount(Hook.FLUSH_BATCHING);
        try (Client client = ProxyClients.proxy(ProxyTestEnvironment.current().local())) {
            assertThat(client.getKVClient().get(bytes("mesh/v1/config/cluster1")).get(10, TimeUnit.SECONDS).getCount())
                    .isEqualTo(1);
        }
        // The hook is counted on the server's event loop, which may not have run it when the client got its answer.
        Eventually.await(Duration.ofSeconds(10), () -> assertThat(hooks.attachedCount(Hook.FLUSH_BATCHING))
                .isGreaterThan(before));
        assertThat(hooks.missedCount(Hook.FLUSH_BATCHING)).isZero();
    }

    @Test
    void writeFenceHoldsALargeRangeAnswersBytesUntilWrittenOut() throws Exception {
        String big = "x".repeat(200 * 1024);
        upstream.getKVClient().put(bytes("mesh/v1/hooks-it/big"), bytes(big)).get();
        long before = hooks.attachedCount(Hook.WRITE_FENCE);
        try (Client client = ProxyClients.proxy(ProxyTestEnvironment.current().local())) {
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(client.getKVClient()
                    .get(bytes("mesh/v1/hooks-it/big")).get(10, TimeUnit.SECONDS).getKvs())
                    .singleElement().satisfies(kv -> assertThat(kv.getValue().toString()).hasSize(big.length())));
        }
        assertThat(hooks.attachedCount(Hook.WRITE_FENCE)).isGreaterThan(before);
        assertThat(hooks.missedCount(Hook.WRITE_FENCE)).isZero();
        Eventually.await(Duration.ofSeconds(10), () -> assertThat(metrics.rangeBytesInFlight())
                .as("the answer's bytes went back once written out").isZero());
    }

    @Test
    void pooledTlsBuffersAreOnTheApiServer() {
        assertThat(hooks.attachedCount(Hook.POOLED_TLS_BUFFERS)).isPositive();
        assertThat(hooks.missedCount(Hook.POOLED_TLS_BUFFERS)).isZero();
        assertThat(registry.find("mesh_proxy_vertx_hook_missed").counters()).hasSize(Hook.values().length);
    }

    private static String output(Path out) {
        try {
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private int watchers() {
        return metrics.watchers("local-cluster1");
    }
}
