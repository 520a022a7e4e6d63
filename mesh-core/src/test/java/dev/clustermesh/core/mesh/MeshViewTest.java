package dev.clustermesh.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.time.Instant;
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
                Optional.empty(), Optional.of(Instant.now()), Freshness.FRESH, ""));
        assertThat(view.drain().services()).isEmpty();
        view.statusChanged(status("cluster2", Freshness.STALE));
        MeshChanges stale = view.drain();
        assertThat(stale.services()).containsOnlyKeys(new ServiceName("default", "a"));
        assertThat(stale.clusters().get("cluster2").stale()).isTrue();
        view.statusChanged(status("cluster2", Freshness.FRESH));
        assertThat(view.drain().services()).containsOnlyKeys(new ServiceName("default", "a"));
    }

    private static ClusterService service(String cluster, String name) {
        return ClusterService.newBuilder().setCluster(cluster).setNamespace("default").setName(name).setShared(true)
                .build();
    }

    private static ClusterStatus status(String name, Freshness f) {
        return new ClusterStatus(name, 2, true, true, Set.of(), 1, 0, 0, "", Optional.empty(), Optional.empty(),
                Optional.empty(), f, f == Freshness.FRESH ? "" : "no new heartbeat for more than 30s");
    }
}
