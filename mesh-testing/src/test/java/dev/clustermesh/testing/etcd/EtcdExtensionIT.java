package dev.clustermesh.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class EtcdExtensionIT {

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    @Test
    void exposesARunningEtcd() {
        assertThat(ETCD.endpoint()).isEqualTo("http://127.0.0.1:" + ETCD.clientPort());
        assertThat(ETCD.process().isRunning()).isTrue();
        assertThat(new Etcdctl(ETCD.endpoint()).run("endpoint", "health").exitCode()).isZero();
    }

    @Test
    void letsTestsCrashAndRestartEtcd() {
        String endpoint = ETCD.endpoint();
        new Etcdctl(endpoint).put("k", "v");

        ETCD.process().kill();
        ETCD.process().restart();

        assertThat(ETCD.endpoint()).isEqualTo(endpoint);
        assertThat(new Etcdctl(endpoint).get("k")).isEqualTo("v");
    }

    @Nested
    class NestedTests {

        @Test
        void shareTheEnclosingClassEtcd() {
            assertThat(ETCD.process().isRunning()).isTrue();
            assertThat(new Etcdctl(ETCD.endpoint()).run("endpoint", "health").exitCode()).isZero();
        }
    }
}
