package dev.clustermesh.proxy.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.ExportStages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExportTimingTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void eachCommitIsTimedUntilTheCacheHoldsItsRevisionAndTheFiguresGoIntoTheHeartbeat() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExportTiming t = new ExportTiming(registry);
        t.exported(3 * MS);
        t.committed(10, 100 * MS);
        t.committed(12, 101 * MS);
        t.cached(11, 104 * MS); // holds 10, not yet 12
        t.cached(13, 109 * MS);
        ExportStages s = t.stages();
        assertThat(s.getExport().getSamples()).isEqualTo(1);
        assertThat(s.getExport().getMaxMicros()).isEqualTo(3000);
        assertThat(s.getCache().getSamples()).isEqualTo(2);
        assertThat(s.getCache().getP50Micros()).isEqualTo(4000);
        assertThat(s.getCache().getMaxMicros()).isEqualTo(8000);
        assertThat(registry.get("mesh.export.cache").timer().count()).isEqualTo(2);
    }

    @Test
    void aCacheFasterThanTheTransactionsAnswerCountsAsNoTimeAndCommitsACacheNeverSeesAreBounded() {
        ExportTiming t = new ExportTiming(new SimpleMeterRegistry());
        t.cached(20, 5 * MS);
        t.committed(20, 7 * MS); // the watch event came before the transaction's answer
        assertThat(t.stages().getCache().getSamples()).isEqualTo(1);
        assertThat(t.stages().getCache().getMaxMicros()).isZero();
        for (long rev = 100; rev < 100 + ExportTiming.MAX_PENDING + 10; rev++) {
            t.committed(rev, rev * MS);
        }
        t.cached(Long.MAX_VALUE, 100_000 * MS);
        assertThat(t.stages().getCache().getSamples()).isEqualTo(1 + ExportTiming.MAX_PENDING);
    }

    @Test
    void aCacheListedAfreshDropsWhatWaitedAndRevisionsMayStartOverLower() {
        ExportTiming t = new ExportTiming(new SimpleMeterRegistry());
        t.cached(500, 0);
        t.committed(600, 1 * MS); // from an etcd about to lose its data: never cached
        t.reset(3); // back empty, listed at revision 3
        t.committed(4, 10 * MS);
        t.cached(4, 12 * MS);
        t.cached(700, 20 * MS);
        assertThat(t.stages().getCache().getSamples()).isEqualTo(1);
        assertThat(t.stages().getCache().getMaxMicros()).isEqualTo(2000);
    }
}
