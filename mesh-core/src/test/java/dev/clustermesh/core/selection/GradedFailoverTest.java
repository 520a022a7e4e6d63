package dev.clustermesh.core.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Graded failover ({@code service.cilium.io/affinity-min-ready}): while the preferred side has fewer usable backends
 * than the threshold, it takes p/T of new connections and the others the rest, and no backend takes more than twice
 * its fair share.
 */
class GradedFailoverTest {

    private static ClusterService local(int ready, int minReady, int percent, int known) {
        return BackendSelectionTest.svc("c1", true, Affinity.AFFINITY_LOCAL, ips(1, ready)).toBuilder()
                .setAffinityMinReady(minReady).setAffinityMinReadyPercent(percent).setKnownBackends(known).build();
    }

    private static ClusterService remote(int ready) {
        return BackendSelectionTest.svc("c2", true, Affinity.AFFINITY_NONE, ips(2, ready));
    }

    private static String[] ips(int cluster, int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "10." + cluster + ".0." + i).toArray(String[]::new);
    }

    /** The local side's share of slots. */
    private static double localShare(SelectedService s) {
        double all = s.usable().stream().mapToInt(SelectedBackend::weight).sum();
        return s.usable().stream().filter(SelectedBackend::local).mapToInt(SelectedBackend::weight).sum() / all;
    }

    @Test
    void localShareGrowsWithReadyPodsUpToTheThreshold() {
        double last = 0;
        for (int ready = 1; ready <= 10; ready++) {
            SelectedService s = BackendSelection.compute("c1", List.of(local(ready, 10, 0, 10), remote(10)));
            double share = localShare(s);
            assertThat(share).as("%d of 10 local ready", ready).isCloseTo(ready / 10.0,
                    offset(1e-9));
            assertThat(share).isGreaterThan(last);
            last = share;
            double fair = 1.0 / s.usable().size();
            double all = s.usable().stream().mapToInt(SelectedBackend::weight).sum();
            assertThat(s.usable()).allSatisfy(b -> assertThat(b.weight() / all).as("%s's share", b.ip())
                    .isLessThanOrEqualTo(2 * fair));
            assertThat(s.graded()).isEqualTo(ready < 10);
        }
        SelectedService full = BackendSelection.compute("c1", List.of(local(10, 10, 0, 10), remote(10)));
        assertThat(full.usable()).hasSize(10).allMatch(SelectedBackend::local).allMatch(b -> b.weight() == 1);
    }

    @Test
    void weightsAreSmallIntegers() {
        // 3 of 10 ready, 10 others: each local backend 10, each remote 7, reduced by gcd 1 -> 3*10 + 10*7 = 100 slots.
        SelectedService s = BackendSelection.compute("c1", List.of(local(3, 10, 0, 10), remote(10)));
        assertThat(s.usable()).filteredOn(SelectedBackend::local).allMatch(b -> b.weight() == 10);
        assertThat(s.usable()).filteredOn(b -> !b.local()).allMatch(b -> b.weight() == 7);
        // 5 of 10, 10 others: 10 and 5, reduced to 2 and 1.
        SelectedService half = BackendSelection.compute("c1", List.of(local(5, 10, 0, 10), remote(10)));
        assertThat(half.usable()).extracting(SelectedBackend::weight).containsOnly(2, 1);
    }

    @Test
    void manyBackendsStayWithinTheSlotBudgetWithSharesClose() {
        // 5 of 10 local ready against 2,000 remote: exact weights 400:1 fit 2 x 2,005 slots, local share 50%.
        assertThat(share(5, 2000, 10)).isCloseTo(0.5, offset(0.001));
        assertThat(share(2, 1000, 10)).isCloseTo(0.2, offset(0.001));
        // 999 of 1,000 against 2,000: exact weights would need about 2 million slots; capped, the share stays near.
        int[] w = BackendSelection.weights(999, 2000, 1000);
        assertThat((long) w[0] * 999 + (long) w[1] * 2000).isLessThanOrEqualTo(2L * (999 + 2000));
        assertThat(share(999, 2000, 1000)).isGreaterThan(0.33);
        assertThat(BackendSelection.weights(1, 1000, 1000)).satisfies(x ->
                assertThat((long) x[0] + (long) x[1] * 1000).isLessThanOrEqualTo(2L * 1001));
    }

    @Test
    void fewOthersGetNoMoreThanAnEvenShare() {
        // 5 of 10 local ready, one remote: T' = 6, each of the six backends takes 1/6.
        assertThat(BackendSelection.weights(5, 1, 10)).containsExactly(1, 1);
        for (int p = 1; p < 10; p++) {
            for (int o = 1; o <= 30; o++) {
                int[] w = BackendSelection.weights(p, o, 10);
                double slots = (double) w[0] * p + (double) w[1] * o;
                assertThat(w[1] / slots).as("other's share, p=%d o=%d", p, o)
                        .isLessThanOrEqualTo(1.0 / (p + o) + 1e-9);
                assertThat(w[0] / slots).as("preferred's share, p=%d o=%d", p, o).isLessThanOrEqualTo(Math.max(1.0 / 10, 1.0 / (p + o)) + 1e-9)
                        .isGreaterThanOrEqualTo(1.0 / (p + o) - 1e-9);
            }
        }
    }

    private static double share(int p, int o, int t) {
        int[] w = BackendSelection.weights(p, o, t);
        return (double) w[0] * p / ((double) w[0] * p + (double) w[1] * o);
    }

    @Test
    void percentIsOfTheLocalKnownBackends() {
        // 50% of 8 known = 4: with 2 ready the local side takes half.
        SelectedService s = BackendSelection.compute("c1", List.of(local(2, 0, 50, 8), remote(6)));
        assertThat(localShare(s)).isCloseTo(0.5, offset(1e-9));
        SelectedService enough = BackendSelection.compute("c1", List.of(local(4, 0, 50, 8), remote(6)));
        assertThat(enough.usable()).allMatch(SelectedBackend::local);
        // An exporter that does not count known backends: the ready ones stand in, so nothing is graded.
        SelectedService unknown = BackendSelection.compute("c1", List.of(local(2, 0, 50, 0), remote(6)));
        assertThat(unknown.graded()).isFalse();
    }

    @Test
    void noPreferredOrNoOthersIsPlainFailoverOrPlainAffinity() {
        SelectedService none = BackendSelection.compute("c1", List.of(local(0, 10, 0, 10), remote(10)));
        assertThat(none.failedOver()).isTrue();
        assertThat(none.usable()).hasSize(10).noneMatch(SelectedBackend::local).allMatch(b -> b.weight() == 1);
        SelectedService alone = BackendSelection.compute("c1", List.of(local(2, 10, 0, 10), remote(0)));
        assertThat(alone.usable()).hasSize(2).allMatch(b -> b.local() && b.weight() == 1);
        assertThat(alone.graded()).isFalse();
    }

    @Test
    void remoteAffinityGradesTheRemoteSideByItsKnownBackends() {
        ClusterService mine = BackendSelectionTest.svc("c1", true, Affinity.AFFINITY_REMOTE, ips(1, 4)).toBuilder()
                .setAffinityMinReadyPercent(100).build();
        ClusterService theirs = BackendSelectionTest.svc("c2", true, Affinity.AFFINITY_NONE, ips(2, 1)).toBuilder()
                .setKnownBackends(4).build();
        SelectedService s = BackendSelection.compute("c1", List.of(mine, theirs));
        assertThat(1 - localShare(s)).as("remote share with 1 of 4 ready").isCloseTo(0.25,
                offset(1e-9));
    }
}
