package dev.clustermesh.proxy.export;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exporter's meters (Prometheus names in brackets): lag from source change to etcd
 * ({@code mesh_export_lag_seconds}), keys written and deleted ({@code mesh_export_keys_written_total},
 * {@code mesh_export_keys_deleted_total}), failed syncs ({@code mesh_export_sync_failures_total}), annotation
 * warnings ({@code mesh_export_annotation_warnings_total}), objects left out
 * ({@code mesh_export_invalid_objects_total}) and whether this replica leads ({@code mesh_export_leader}).
 */
final class ExportMetrics {
    private final Counter keysWritten;
    private final Counter keysDeleted;
    private final Counter syncFailures;
    private final Counter annotationWarnings;
    private final Counter invalidObjects;
    private final Timer lag;
    // Gauges hold their object weakly; this field keeps it alive.
    private final AtomicInteger leader = new AtomicInteger();

    ExportMetrics(MeterRegistry registry) {
        keysWritten = Counter.builder("mesh.export.keys.written").description("Keys put into etcd")
                .register(registry);
        keysDeleted = Counter.builder("mesh.export.keys.deleted").description("Keys deleted from etcd")
                .register(registry);
        syncFailures = Counter.builder("mesh.export.sync.failures")
                .description("Reconciliations that failed and will be retried with a full resync").register(registry);
        annotationWarnings = Counter.builder("mesh.export.annotation.warnings")
                .description("Bad or ineffective global-service annotations").register(registry);
        invalidObjects = Counter.builder("mesh.export.invalid.objects")
                .description("Objects, addresses or ports left out of the export").register(registry);
        lag = Timer.builder("mesh.export.lag").description("Time from a source change to its write in etcd")
                .register(registry);
        Gauge.builder("mesh.export.leader", leader, AtomicInteger::get)
                .description("1 when this replica is the exporter leader, else 0").register(registry);
    }

    void written(int n) {
        keysWritten.increment(n);
    }

    void deleted(int n) {
        keysDeleted.increment(n);
    }

    void syncFailed() {
        syncFailures.increment();
    }

    void warned(ExportWarning w) {
        (w.cause() == ExportWarning.Cause.ANNOTATION ? annotationWarnings : invalidObjects).increment();
    }

    void lag(Duration d) {
        lag.record(d);
    }

    void leader(boolean leads) {
        leader.set(leads ? 1 : 0);
    }
}
