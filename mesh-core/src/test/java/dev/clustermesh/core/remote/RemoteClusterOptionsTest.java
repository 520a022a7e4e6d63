package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteClusterOptionsTest {
    @TempDir
    Path dir;

    record Config(Path dir, Duration pollInterval, Duration ttl, Optional<Duration> staleAfter, Duration requestTimeout,
            Duration maxBackoff) implements ClustersConfig {
        Config(Path dir, Duration pollInterval, Duration ttl, Duration requestTimeout, Duration maxBackoff) {
            this(dir, pollInterval, ttl, Optional.empty(), requestTimeout, maxBackoff);
        }
    }

    @Test
    void defaultsAreValid() {
        List<String> errors = new ArrayList<>();
        RemoteClusterOptions o = RemoteClusterOptions.from(new Config(dir, Duration.ofSeconds(2), Duration.ofMinutes(5),
                Duration.ofSeconds(30), Duration.ofSeconds(30)), errors);
        assertThat(errors).isEmpty();
        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.staleAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anUnsetStaleAfterFollowsAShortTtlAndASetOneMustBeShorterThanIt() {
        List<String> errors = new ArrayList<>();
        RemoteClusterOptions shortTtl = RemoteClusterOptions.from(new Config(dir, Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30)), errors);
        assertThat(errors).isEmpty();
        assertThat(shortTtl.staleAfter()).isEqualTo(Duration.ofMillis(2500));
        RemoteClusterOptions.from(new Config(dir, Duration.ofSeconds(2), Duration.ofSeconds(5),
                Optional.of(Duration.ofSeconds(5)), Duration.ofSeconds(30), Duration.ofSeconds(30)), errors);
        RemoteClusterOptions.from(new Config(dir, Duration.ofSeconds(2), Duration.ZERO, Optional.of(Duration.ZERO),
                Duration.ofSeconds(30), Duration.ofSeconds(30)), errors);
        assertThat(errors).containsExactly(
                "mesh.clusters.stale-after: PT5S must be shorter than mesh.clusters.ttl (PT5S), or the state would be "
                        + "withdrawn before it is ever stale",
                "mesh.clusters.stale-after: PT0S must be positive");
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
