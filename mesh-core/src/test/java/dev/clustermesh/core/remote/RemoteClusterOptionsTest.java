package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteClusterOptionsTest {
    @TempDir
    Path dir;

    record Config(Path dir, Duration pollInterval, Duration ttl, Duration requestTimeout, Duration maxBackoff)
            implements ClustersConfig {
    }

    @Test
    void defaultsAreValid() {
        List<String> errors = new ArrayList<>();
        RemoteClusterOptions o = RemoteClusterOptions.from(new Config(dir, Duration.ofSeconds(2), Duration.ofMinutes(5),
                Duration.ofSeconds(30), Duration.ofSeconds(30)), errors);
        assertThat(errors).isEmpty();
        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void eachBadDurationIsNamedByItsProperty() {
        List<String> errors = new ArrayList<>();
        RemoteClusterOptions.from(new Config(dir.resolve("missing"), Duration.ZERO, Duration.ofSeconds(-1),
                Duration.ofSeconds(-5), Duration.ZERO), errors);
        assertThat(errors).containsExactlyInAnyOrder(
                "mesh.clusters.dir: '" + dir.resolve("missing") + "' is not a directory",
                "mesh.clusters.ttl: PT-1S must not be negative",
                "mesh.clusters.poll-interval: PT0S must be positive",
                "mesh.clusters.request-timeout: PT-5S must be positive",
                "mesh.clusters.max-backoff: PT0S must be positive");
    }
}
