package dev.clustermesh.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class EtcdProcessIT {

    @Test
    void servesPutAndGetFromEtcdctl() {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            Etcdctl etcdctl = new Etcdctl(etcd.endpoint());

            etcdctl.put("/mesh/k", "v");

            assertThat(etcd.isRunning()).isTrue();
            assertThat(etcd.endpoint()).isEqualTo("http://127.0.0.1:" + etcd.clientPort());
            assertThat(etcdctl.get("/mesh/k")).isEqualTo("v");
        }
    }

    @Test
    void keepsDataAndPortsAcrossKillAndRestart() {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            String endpoint = etcd.endpoint();
            new Etcdctl(endpoint).put("/mesh/k", "before-crash");

            etcd.kill();
            assertThat(etcd.isRunning()).isFalse();
            etcd.restart();

            assertThat(etcd.endpoint()).isEqualTo(endpoint);
            assertThat(new Etcdctl(endpoint).get("/mesh/k")).isEqualTo("before-crash");
        }
    }

    @Test
    void restartsAfterAGracefulStop(@TempDir Path parent) {
        Path dataDir = parent.resolve("data");
        try (EtcdProcess etcd = EtcdProcess.start(dataDir)) {
            new Etcdctl(etcd.endpoint()).put("k", "v");

            etcd.stop();
            assertThat(etcd.isRunning()).isFalse();
            etcd.restart();

            assertThat(etcd.dataDir()).isEqualTo(dataDir);
            assertThat(new Etcdctl(etcd.endpoint()).get("k")).isEqualTo("v");
        }
    }

    @Test
    void closeStopsEtcdAndDeletesItsFiles() throws Exception {
        EtcdProcess etcd = EtcdProcess.start();
        try {
            assertThat(etcd.dataDir()).isDirectory();
            assertThat(etcd.logTail(100)).contains("starting an etcd server");
        } finally {
            etcd.close();
        }

        assertThat(etcd.isRunning()).isFalse();
        assertThat(etcd.dataDir()).doesNotExist();
        assertThat(etcd.logFile()).doesNotExist();
        // Binding the client port proves no etcd is listening on it any more.
        new ServerSocket(etcd.clientPort(), 1, InetAddress.getByName("127.0.0.1")).close();
    }

    @Test
    void failedStartReportsTheEtcdLog() {
        EtcdProcess.Builder builder = EtcdProcess.builder()
                .extraArgs("--no-such-flag")
                .readyTimeout(Duration.ofSeconds(10));

        assertThatThrownBy(builder::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("flag provided but not defined: -no-such-flag");
    }
}
