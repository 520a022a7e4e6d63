package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ClusterDirectoryTest {
    private static final RemoteClusterOptions OPTIONS =
            new RemoteClusterOptions(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(30));
    @TempDir
    Path dir;

    @Test
    void onlyUndottedFilesAreClusterConfigsSoCiliumLayoutCertificatesAreNotReportedAsClusters() throws Exception {
        // The layout meshctl and Cilium write: one config per cluster, its PEM files beside it.
        for (String f : List.of("cluster2.etcd-client-ca.crt", "cluster2.etcd-client.crt", "cluster2.etcd-client.key",
                "..data", ".hidden")) {
            Files.writeString(dir.resolve(f), "-----BEGIN CERTIFICATE-----\n");
        }
        Files.writeString(dir.resolve("cluster2"), "endpoints: [not-a-url\n");
        List<String> bad = new ArrayList<>();
        try (ClusterDirectory d = new ClusterDirectory(dir, "cluster1", new RecordingListener(),
                OPTIONS, Duration.ofHours(1), (file, why) -> bad.add(file))) {
            d.scan();

            assertThat(d.statuses()).containsOnlyKeys("cluster2");
            assertThat(d.statuses().get("cluster2").connected()).isFalse();
            assertThat(bad).containsExactly("cluster2");
        }
    }

    @Test
    void notSettledBeforeTheDirectoryIsReadThenSettledByItsFiles() throws Exception {
        Files.writeString(dir.resolve("cluster2"), "endpoints: [not-a-url\n");
        Files.writeString(dir.resolve("cluster2.etcd-client.crt"), "-----BEGIN CERTIFICATE-----\n");
        try (ClusterDirectory d = new ClusterDirectory(dir, "cluster1", new RecordingListener(),
                OPTIONS, Duration.ofHours(1), (file, why) -> { })) {
            assertThat(d.settled()).as("nothing read yet: an empty status map is not 'all synced'").isFalse();
            d.scan();
            assertThat(d.settled()).as("cluster2's file failed with a reason; the certificate is no cluster").isTrue();
        }
    }

    @Test
    @Timeout(60)
    void statusesAnswerAtOnceWhileARemovedClusterIsStillClosing() throws Exception {
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("clustermesh-ca");
        Issued client = certs.issueClient(ca, "remote-cluster1");
        Path clusters = Files.createDirectories(dir.resolve("clusters"));
        RecordingListener listener = new RecordingListener();
        // Accepts TCP connections in its backlog and never answers the TLS handshake: the watcher's first
        // request hangs for the whole request timeout, and its close waits for that request.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ClusterDirectory d = new ClusterDirectory(clusters, "cluster1", listener,
                        new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(4), Duration.ofSeconds(1)),
                        Duration.ofMillis(50), (file, why) -> { })) {
            Files.writeString(clusters.resolve("cluster2"), "endpoints: [https://127.0.0.1:" + silent.getLocalPort()
                    + "]\ntrusted-ca-file: " + ca.certPem() + "\ncert-file: " + client.certPem() + "\nkey-file: "
                    + client.keyPem() + "\n");
            d.start();
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(d.statuses()).containsKey("cluster2"));
            Files.delete(clusters.resolve("cluster2"));
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(d.statuses()).doesNotContainKey("cluster2"));

            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
            while (System.nanoTime() < end) {
                long start = System.nanoTime();
                d.statuses();
                d.settled();
                assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
            }
            assertThat(listener.status).as("the hung request has not failed yet: the close was still waiting for it")
                    .doesNotContainKey("cluster2");
        }
    }

    @Test
    void clusterFilesAreTheUndottedNames() {
        assertThat(List.of("cluster2", "cluster2.etcd-client.crt", "cluster2.etcd-client-ca.crt", "..data", ".x"))
                .filteredOn(n -> ClusterDirectory.isClusterFile(Path.of("/var/lib/mesh/clusters", n)))
                .containsExactly("cluster2");
    }
}
