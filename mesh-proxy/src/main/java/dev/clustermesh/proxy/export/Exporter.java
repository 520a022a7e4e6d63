package dev.clustermesh.proxy.export;

import dev.clustermesh.proxy.export.source.ExportSource;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * One exporter replica: a source, the election among replicas and the reconciler that writes this cluster's
 * keys into etcd while this replica leads.
 *
 * <p>Contract: {@link #start()} returns at once; from then on the replica campaigns, and while it leads
 * etcd converges to the source (see the package documentation for what is written). {@link #close()} stops
 * the source and the reconciler and resigns, so another replica takes over without waiting for the lease
 * TTL; the keys written stay in etcd. Plain Java: several exporters can run in one JVM.
 */
public interface Exporter extends AutoCloseable {

    /** Starts the source, the election and the reconciler. */
    void start();

    /** True while this replica believes it leads (its writes are still guarded by etcd). */
    boolean isLeader();

    /**
     * This proxy's cache holds every revision up to {@code revision}: times the cache stage of the exports
     * committed up to it (see {@code mesh_export_cache_seconds} and the heartbeat's stages).
     */
    void cacheHolds(long revision);

    /** This proxy's cache was listed afresh at {@code revision}: pending cache-stage timings are dropped. */
    void cacheListed(long revision);

    /** Stops everything and resigns; never throws. Idempotent. */
    @Override
    void close();

    /**
     * Builds an exporter.
     *
     * @param etcd this cluster's etcd; stays the caller's (it is not closed by {@link #close()})
     * @param source where the state comes from; owned by the exporter from now on
     * @param registry where the exporter's meters are registered
     */
    static Exporter create(ExportSettings settings, Client etcd, ExportSource source, MeterRegistry registry) {
        return create(settings, etcd, source, registry, m -> { });
    }

    /**
     * As above; the leader also hands its Multi-Cluster Services keys (imports, export statuses) to {@code mcsSink}
     * after each sync (the Kubernetes source writes them back to the API).
     */
    static Exporter create(ExportSettings settings, Client etcd, ExportSource source, MeterRegistry registry,
            java.util.function.Consumer<java.util.Map<String, com.google.protobuf.Message>> mcsSink) {
        return new DefaultExporter(settings, etcd, source, registry, Clock.systemUTC(), mcsSink);
    }
}
