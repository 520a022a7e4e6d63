package dev.clustermesh.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ExportStages;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.StageFigures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MeshViewTest {

    @Test
    void aClusterTurningStaleOrFreshHandsEveryServiceItContributesToTheConsumerAgain() {
        MeshView view = new MeshView();
        view.serviceChanged("cluster2", new MeshKey.Service("cluster2", "default", "a", true), service("cluster2", "a"));
        view.serviceChanged("cluster3", new MeshKey.Service("cluster3", "default", "b", true), service("cluster3", "b"));
        view.statusChanged(status("cluster2", Freshness.FRESH));
        view.statusChanged(status("cluster3", Freshness.FRESH));
        view.drain();

        // A status change that leaves the freshness as it was (a new heartbeat) recomputes nothing.
        ClusterStatus f = status("cluster2", Freshness.FRESH);
        view.statusChanged(new ClusterStatus(f.name(), f.id(), true, true, Set.of(), 1, 0, 0, "", Optional.empty(),
                Optional.empty(), Optional.of(Instant.now()), Freshness.FRESH, "", 1, 1));
        assertThat(view.drain().services()).isEmpty();
        view.statusChanged(status("cluster2", Freshness.STALE));
        MeshChanges stale = view.drain();
        assertThat(stale.services()).containsOnlyKeys(new ServiceName("default", "a"));
        assertThat(stale.clusters().get("cluster2").stale()).isTrue();
        view.statusChanged(status("cluster2", Freshness.FRESH));
        assertThat(view.drain().services()).containsOnlyKeys(new ServiceName("default", "a"));
    }

    @Test
    void convergenceTracksTheRevisionReceivedAgainstTheOneProgrammedAndDatesTheOldestUnappliedChange() {
        MeshView view = new MeshView();
        view.statusChanged(at("cluster2", 10));
        long afterFirst = System.nanoTime();
        MeshView.Convergence c = view.convergence().get("cluster2");
        assertThat(c.received()).isEqualTo(10);
        assertThat(c.programmed()).isZero();
        assertThat(c.unappliedSinceNanos()).hasValueSatisfying(t -> assertThat(t).isLessThanOrEqualTo(afterFirst));

        MeshChanges drained = view.drain();
        view.statusChanged(at("cluster2", 12)); // arrives while the consumer applies revision 10
        long second = System.nanoTime();
        view.programmed(drained.clusters());
        c = view.convergence().get("cluster2");
        assertThat(c.programmed()).isEqualTo(10);
        assertThat(c.received()).isEqualTo(12);
        assertThat(c.unappliedSinceNanos()).hasValueSatisfying(t -> assertThat(t).isGreaterThanOrEqualTo(afterFirst)
                .isLessThanOrEqualTo(second));

        view.programmed(view.drain().clusters());
        assertThat(view.convergence().get("cluster2").unappliedSinceNanos()).isEmpty();
        assertThat(view.convergence().get("cluster2").programmed()).isEqualTo(12);

        // Its etcd started over empty: revisions restart low, and nothing of them counts as programmed.
        view.statusChanged(at("cluster2", 3));
        assertThat(view.convergence().get("cluster2").programmed()).isZero();
        assertThat(view.convergence().get("cluster2").unappliedSinceNanos()).isPresent();
    }

    @Test
    void everyRevisionReceivedIsTimedUntilADrainThatHeldItIsProgrammedAndHeartbeatsTimeTheirTransit() {
        List<String> samples = new ArrayList<>();
        MeshView view = new MeshView((cluster, stage, nanos) -> samples.add(cluster + " " + stage.label()));
        view.statusChanged(at("cluster2", 10));
        view.statusChanged(at("cluster2", 10)); // the same revision again (a freshness tick) is not a new change
        view.statusChanged(at("cluster2", 11));
        MeshChanges drained = view.drain();
        view.statusChanged(at("cluster2", 12)); // after the drain: not applied by this program
        view.programmed(drained.clusters());
        assertThat(samples).containsExactly("cluster2 applied", "cluster2 applied");
        assertThat(view.propagation().get("cluster2").get(Stage.APPLIED).samples()).isEqualTo(2);

        view.programmed(view.drain().clusters());
        assertThat(view.propagation().get("cluster2").get(Stage.APPLIED).samples()).isEqualTo(3);

        // A heartbeat written 40 ms before it arrived, carrying its proxy's figures.
        long now = System.currentTimeMillis();
        view.heartbeat("cluster2", Heartbeat.newBuilder().setUnixMillis(now - 40).setStages(ExportStages.newBuilder()
                .setExport(StageFigures.newBuilder().setSamples(5).setP50Micros(900).setP99Micros(4000)
                        .setMaxMicros(5000))
                .setCache(StageFigures.newBuilder().setSamples(5).setP50Micros(300).setP99Micros(700)
                        .setMaxMicros(800))).build(), now);
        Map<Stage, LatencyWindow.Summary> stages = view.propagation().get("cluster2");
        assertThat(stages.keySet()).containsExactly(Stage.values());
        assertThat(stages.get(Stage.TRANSIT)).isEqualTo(new LatencyWindow.Summary(1, 40_000, 40_000, 40_000));
        assertThat(stages.get(Stage.EXPORT)).isEqualTo(new LatencyWindow.Summary(5, 900, 4000, 5000));
        assertThat(stages.get(Stage.CACHE).p99Micros()).isEqualTo(700);
        assertThat(samples).endsWith("cluster2 transit");

        // A remote clock ahead of ours gives no negative transit.
        view.heartbeat("cluster2", Heartbeat.newBuilder().setUnixMillis(now + 500).build(), now);
        assertThat(view.propagation().get("cluster2").get(Stage.TRANSIT).p50Micros()).isZero();
        // Nothing waits once the etcd started over (lower revisions), and nothing is kept for a removed cluster.
        view.statusChanged(at("cluster2", 20));
        view.statusChanged(at("cluster2", 2));
        view.programmed(view.drain().clusters());
        assertThat(view.propagation().get("cluster2").get(Stage.APPLIED).samples()).isEqualTo(4);
        view.clusterRemoved("cluster2");
        assertThat(view.propagation()).doesNotContainKey("cluster2");
    }

    private static ClusterStatus at(String name, long revision) {
        return new ClusterStatus(name, 2, true, true, Set.of(), 1, 0, 0, "", Optional.empty(), Optional.empty(),
                Optional.empty(), Freshness.FRESH, "", revision, revision);
    }

    private static ClusterService service(String cluster, String name) {
        return ClusterService.newBuilder().setCluster(cluster).setNamespace("default").setName(name).setShared(true)
                .build();
    }

    private static ClusterStatus status(String name, Freshness f) {
        return new ClusterStatus(name, 2, true, true, Set.of(), 1, 0, 0, "", Optional.empty(), Optional.empty(),
                Optional.empty(), f, f == Freshness.FRESH ? "" : "no new heartbeat for more than 30s", 1, 1);
    }
}
