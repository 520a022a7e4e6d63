package dev.clustermesh.core.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {

    @Test
    void quantilesAreNearestRankOverTheSamplesAndNegativeOnesCountAsZero() {
        LatencyWindow w = new LatencyWindow();
        assertThat(w.summary()).isEqualTo(LatencyWindow.Summary.NONE);
        for (int ms = 1; ms <= 100; ms++) {
            w.record(TimeUnit.MILLISECONDS.toNanos(ms));
        }
        assertThat(w.summary()).isEqualTo(new LatencyWindow.Summary(100, 50_000, 99_000, 100_000));
        w.record(-5);
        assertThat(w.summary().samples()).isEqualTo(101);
        assertThat(w.summary().p50Micros()).isEqualTo(50_000);
    }

    @Test
    void onlyTheLatestSamplesMakeTheQuantilesSoASlowHourOfThePastNoLongerShows() {
        LatencyWindow w = new LatencyWindow();
        for (int i = 0; i < LatencyWindow.CAPACITY; i++) {
            w.record(TimeUnit.SECONDS.toNanos(30));
        }
        for (int i = 0; i < LatencyWindow.CAPACITY; i++) {
            w.record(TimeUnit.MILLISECONDS.toNanos(2));
        }
        assertThat(w.summary()).isEqualTo(new LatencyWindow.Summary(2L * LatencyWindow.CAPACITY, 2000, 2000, 2000));
        assertThat(LatencyWindow.Summary.of(w.summary().toProto())).isEqualTo(w.summary());
    }
}
