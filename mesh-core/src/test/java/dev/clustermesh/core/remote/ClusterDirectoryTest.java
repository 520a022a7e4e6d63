package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
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
    void clusterFilesAreTheUndottedNames() {
        assertThat(List.of("cluster2", "cluster2.etcd-client.crt", "cluster2.etcd-client-ca.crt", "..data", ".x"))
                .filteredOn(n -> ClusterDirectory.isClusterFile(Path.of("/var/lib/mesh/clusters", n)))
                .containsExactly("cluster2");
    }
}
