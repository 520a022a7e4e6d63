package dev.clustermesh.core.selection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code service.cilium.io/cluster-preference}: the first listed cluster with a usable backend takes all traffic,
 * then the next; unlisted clusters come last, together.
 */
class ClusterPreferenceSelectionTest {

    private static ClusterService c1(String... preference) {
        return BackendSelectionTest.svc("c1", true, Affinity.AFFINITY_NONE, "10.1.0.1").toBuilder()
                .addAllClusterPreference(List.of(preference)).build();
    }

    private static String usable(SelectedService s) {
        return s.usable().stream().map(b -> b.cluster() + "/" + b.tier()).collect(Collectors.joining(", "));
    }

    @Test
    void theFirstTierWithABackendTakesEverythingThenTheNext() {
        ClusterService c2 = BackendSelectionTest.svc("c2", true, Affinity.AFFINITY_NONE, "10.2.0.1");
        ClusterService c3 = BackendSelectionTest.svc("c3", true, Affinity.AFFINITY_NONE, "10.3.0.1", "10.3.0.2");
        ClusterService c3Empty = BackendSelectionTest.svc("c3", true, Affinity.AFFINITY_NONE);
        ClusterService c1Empty = BackendSelectionTest.svc("c1", true, Affinity.AFFINITY_NONE).toBuilder()
                .addAllClusterPreference(List.of("c3", "c1")).build();

        SelectedService first = BackendSelection.compute("c1", List.of(c1("c3", "c1"), c2, c3));
        assertThat(usable(first)).isEqualTo("c3/1, c3/1");
        assertThat(first.failedOver()).isFalse();
        assertThat(first.backends()).filteredOn(b -> b.cluster().equals("c2")).allMatch(b -> b.tier() == 3);

        SelectedService second = BackendSelection.compute("c1", List.of(c1("c3", "c1"), c2, c3Empty));
        assertThat(usable(second)).isEqualTo("c1/2");
        assertThat(second.failedOver()).isTrue();

        SelectedService unlisted = BackendSelection.compute("c1", List.of(c1Empty, c2, c3Empty));
        assertThat(usable(unlisted)).as("unlisted clusters still serve when no listed one can").isEqualTo("c2/3");
    }

    @Test
    void terminatingAndStaleBackendsDoNotHoldATier() {
        ClusterService c3Terminating = BackendSelectionTest.svc("c3", true, Affinity.AFFINITY_NONE, "10.3.0.1~");
        SelectedService s = BackendSelection.compute("c1", List.of(c1("c3", "c1"), c3Terminating));
        assertThat(usable(s)).isEqualTo("c1/2");

        ClusterService c3 = BackendSelectionTest.svc("c3", true, Affinity.AFFINITY_NONE, "10.3.0.1");
        SelectedService stale = BackendSelection.compute("c1", List.of(c1("c3", "c1"), c3), c -> c.equals("c3"));
        assertThat(usable(stale)).as("a stale first tier stands in only").isEqualTo("c1/2");
    }

    @Test
    void aRemoteClustersPreferenceAppliesOnlyToItsOwnBalancing() {
        ClusterService c2 = BackendSelectionTest.svc("c2", true, Affinity.AFFINITY_NONE, "10.2.0.1").toBuilder()
                .addClusterPreference("c2").build();
        SelectedService s = BackendSelection.compute("c1", List.of(
                BackendSelectionTest.svc("c1", true, Affinity.AFFINITY_NONE, "10.1.0.1"), c2));
        assertThat(usable(s)).isEqualTo("c1/0, c2/0");
    }

    @Test
    void importSelectorTiersOrderClustersWhenTheServiceSetsNoPreferenceEvenWithoutALocalService() {
        ClusterService c2 = BackendSelectionTest.svc("c2", true, Affinity.AFFINITY_NONE, "10.2.0.1");
        ClusterService c3 = BackendSelectionTest.svc("c3", true, Affinity.AFFINITY_NONE, "10.3.0.1");
        ClusterService c3Empty = BackendSelectionTest.svc("c3", true, Affinity.AFFINITY_NONE);
        List<List<String>> tiers = List.of(List.of("c3"), List.of("c2", "c3"));

        SelectedService first = BackendSelection.compute("c1", List.of(c2, c3), c -> false, tiers);
        assertThat(usable(first)).isEqualTo("c3/1");
        assertThat(first.localPresent()).as("only the import's clusterset IP balances here").isFalse();
        assertThat(first.frontends()).isEmpty();

        SelectedService next = BackendSelection.compute("c1", List.of(c2, c3Empty), c -> false, tiers);
        assertThat(usable(next)).isEqualTo("c2/2");
        assertThat(next.failedOver()).isTrue();

        SelectedService none = BackendSelection.compute("c1", List.of(
                BackendSelectionTest.svc("c1", true, Affinity.AFFINITY_NONE, "10.1.0.1"), c3Empty), c -> false, tiers);
        assertThat(usable(none)).as("no tier has a backend: every exporting cluster").isEqualTo("c1/3");

        SelectedService own = BackendSelection.compute("c1", List.of(c1("c1"), c2, c3), c -> false, tiers);
        assertThat(usable(own)).as("the service's own cluster-preference comes first").isEqualTo("c1/1");
    }
}
