package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.etcd.Etcdctl;
import io.etcd.jetcd.Client;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stock etcdctl 3.4 binary, unchanged, against the proxy over mTLS. */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class EtcdctlIT {
    private static Client upstream;

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
    void getPrefixAndEndpointStatusWork() {
        Etcdctl etcdctl = ProxyClients.etcdctl(ProxyTestEnvironment.current().local());
        Eventually.await(Duration.ofSeconds(20), () -> {
            Command.Result get = etcdctl.run("get", "--prefix", "mesh/v1/");
            assertThat(get.exitCode()).as(get.output()).isZero();
            assertThat(get.output()).contains("mesh/v1/config/cluster1", "cluster1-config");
        });
        Command.Result status = etcdctl.run("endpoint", "status", "-w", "table");
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).contains(MaintenanceService.VERSION);
        Command.Result put = etcdctl.run("put", "mesh/v1/config/cluster1", "evil");
        assertThat(put.exitCode()).isNotZero();
        assertThat(put.output()).contains("etcdserver: permission denied");
    }

    @Test
    void watchStreamsChangesAndAKilledWatcherIsReleased() throws Exception {
        Etcdctl etcdctl = ProxyClients.etcdctl(ProxyTestEnvironment.current().local());
        Path out = Files.createTempFile("etcdctl-watch", ".out");
        Process watch = new ProcessBuilder(etcdctl.command("watch", "--prefix", "mesh/v1/services/"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(metrics.watchers("local-cluster1")).isEqualTo(1));
            upstream.getKVClient().put(bytes("mesh/v1/services/cluster1/default/x-wing"), bytes("watched")).get();
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(read(out))
                    .contains("PUT", "mesh/v1/services/cluster1/default/x-wing", "watched"));
        } finally {
            // kill -9: the client vanishes without closing its stream.
            watch.destroyForcibly().waitFor();
        }
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(metrics.watchers("local-cluster1")).isZero());
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
