package dev.clustermesh.proxy.export;

import dev.clustermesh.core.keys.ResourceKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exporter's meters (Prometheus names in brackets): lag from source change to etcd
 * ({@code mesh_export_lag_seconds}), from etcd's acknowledgement to this proxy's cache
 * ({@code mesh_export_cache_seconds}), keys written and deleted ({@code mesh_export_keys_written_total},
 * {@code mesh_export_keys_deleted_total}), failed syncs ({@code mesh_export_sync_failures_total}), annotation
 * warnings ({@code mesh_export_annotation_warnings_total}), objects left out
 * ({@code mesh_export_invalid_objects_total}), label sets left without an identity
 * ({@code mesh_export_identity_warnings_total}), whether this replica leads ({@code mesh_export_leader}) and
 * how many endpoints, identities and policies the last computation gave ({@code mesh_export_endpoints},
 * {@code mesh_export_identities}, {@code mesh_export_policies}, each tagged with the cluster).
 */
final class ExportMetrics {
    private final Counter keysWritten;
    private final Counter keysDeleted;
    private final Counter syncFailures;
    private final Counter annotationWarnings;
    private final Counter invalidObjects;
    private final Counter exportConditions;
    private final Counter identityWarnings;
    private final Map<ResourceKind, AtomicInteger> exported = new EnumMap<>(ResourceKind.class);
    private final Timer lag;
    private final ExportTiming timing;
    // Gauges hold their object weakly; this field keeps it alive.
    private final AtomicInteger leader = new AtomicInteger();

    ExportMetrics(MeterRegistry registry, String cluster) {
        timing = new ExportTiming(registry);
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
        exportConditions = Counter.builder("mesh.export.serviceexport.problems")
                .description("ServiceExports found invalid or in conflict (Valid=False or Conflict=True)")
                .register(registry);
        identityWarnings = Counter.builder("mesh.export.identity.warnings")
                .description("Label sets left without an identity because the cluster's identities ran out")
                .register(registry);
        for (ResourceKind k : List.of(ResourceKind.ENDPOINTS, ResourceKind.IDENTITIES, ResourceKind.POLICIES,
                ResourceKind.MCS)) {
            AtomicInteger n = new AtomicInteger();
            exported.put(k, n);
            Gauge.builder("mesh.export." + k.segment(), n, AtomicInteger::get).tag("cluster", cluster)
                    .description("Keys of this kind the exporter computed for its cluster").register(registry);
        }
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
        switch (w.cause()) {
            case ANNOTATION -> annotationWarnings.increment();
            case INVALID_OBJECT -> invalidObjects.increment();
            case IDENTITY -> identityWarnings.increment();
            case SERVICE_EXPORT -> exportConditions.increment();
        }
    }

    void exported(Map<ResourceKind, Integer> counts) {
        exported.forEach((k, n) -> n.set(counts.getOrDefault(k, 0)));
    }

    void lag(Duration d) {
        lag.record(d);
        timing.exported(d.toNanos());
    }

    /** The propagation figures of this replica's exports (source to etcd, etcd to this proxy's cache). */
    ExportTiming timing() {
        return timing;
    }

    void leader(boolean leads) {
        leader.set(leads ? 1 : 0);
    }
}
