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
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stock etcdctl 3.4 binary, unchanged, against the proxy over mTLS (its watch: {@code VertxHooksIT}). */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class EtcdctlIT {
    private static Client upstream;

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
}
