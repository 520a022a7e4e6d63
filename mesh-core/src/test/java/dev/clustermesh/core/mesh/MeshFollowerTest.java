package dev.clustermesh.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class MeshFollowerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final RemoteClusterOptions OPTIONS =
            new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1));

    @TempDir
    Path dir;

    /** Records the view's service count at every run. */
    static final class Counting implements MeshFollower.Consumer {
        final List<Integer> runs = new CopyOnWriteArrayList<>();
        final Worker worker;

        Counting(MeshView view) {
            worker = Worker.builder("test-consumer", full -> runs.add(view.serviceCount())).build();
        }

        @Override
        public Worker worker() {
            return worker;
        }
    }

    @Test
    void theConsumerStartsOnceSettledAndIsWokenByEveryChange() {
        try (MeshFollower<Counting> f = new MeshFollower<>(settings(dir), new MeshFollower.Observer() {
        }, Counting::new)) {
            f.startWatching();
            f.startWorkerWhenSettled(Duration.ofMinutes(5));
            Eventually.await(WAIT, () -> assertThat(f.consumer().runs).containsExactly(0));
            assertThat(f.settled()).isTrue();

            f.serviceChanged("cluster1", new MeshKey.Service("cluster1", "default", "rebel-base", true),
                    ClusterService.newBuilder().setCluster("cluster1").setNamespace("default").setName("rebel-base")
                            .setShared(true).build());
            Eventually.await(WAIT, () -> assertThat(f.consumer().runs).endsWith(1));
            assertThat(f.view().serviceCount()).isEqualTo(1);
        }
    }

    @Test
    void anUnreadableDirectoryDelaysTheConsumerOnlyUntilTheDeadline() {
        try (MeshFollower<Counting> f = new MeshFollower<>(settings(dir.resolve("missing")),
                new MeshFollower.Observer() {
                }, Counting::new)) {
            f.startWatching();
            long start = System.nanoTime();
            f.startWorkerWhenSettled(Duration.ofMillis(300));
            Eventually.await(WAIT, () -> assertThat(f.consumer().runs).hasSize(1));
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
            assertThat(f.settled()).isFalse();
            assertThat(f.directoryProblem()).isPresent();
        }
    }

    private static MeshFollower.Settings settings(Path clusters) {
        return new MeshFollower.Settings(clusters, "cluster1", Duration.ofMillis(100), OPTIONS);
    }
}
