package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.mesh.MeshView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterDirectoryTest {
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
        try (ClusterDirectory d = new ClusterDirectory(dir, "cluster1", new MeshView(() -> { }),
                RemoteClusterOptions.DEFAULTS, Duration.ofHours(1), (file, why) -> bad.add(file))) {
            d.scan();

            assertThat(d.statuses()).containsOnlyKeys("cluster2");
            assertThat(d.statuses().get("cluster2").connected()).isFalse();
            assertThat(bad).containsExactly("cluster2");
        }
    }
}
