package dev.clustermesh.proxy.export;

import dev.clustermesh.core.mesh.LatencyWindow;
import dev.clustermesh.proto.mesh.v1.ExportStages;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * The first two propagation stages of this cluster's changes, as the writing replica sees them: export (source
 * change to its etcd transaction acknowledged) and cache (that acknowledgement to this proxy's cache holding the
 * revision; every transaction counts, heartbeats included). Their figures go into each heartbeat, so agents in other clusters can show them. Thread-safe: the
 * reconciler records exports and commits, the cache's listener the arrivals.
 */
final class ExportTiming {
    /** Commits waiting for the cache, at most; older ones are dropped (a cache on another etcd never sees them). */
    static final int MAX_PENDING = 4096;

    private final LatencyWindow export = new LatencyWindow();
    private final LatencyWindow cache = new LatencyWindow();
    private final Timer cacheTimer;
    /** Revision acknowledged → {@link System#nanoTime()} of the acknowledgement. */
    private final ConcurrentSkipListMap<Long, Long> committed = new ConcurrentSkipListMap<>();
    private volatile long cachedRevision;

    ExportTiming(MeterRegistry registry) {
        this.cacheTimer = Timer.builder("mesh.export.cache").publishPercentiles(0.5, 0.99)
                .description("Time from an exported change's etcd commit to this proxy's cache holding it")
                .register(registry);
    }

    /** A source change took {@code nanos} to be acknowledged by etcd. */
    void exported(long nanos) {
        export.record(nanos);
    }

    /**
     * etcd acknowledged a transaction at {@code revision}. When the cache already holds it (its watch can be
     * faster than the transaction's answer), the cache stage took no time as seen from here. Put first, then
     * checked: {@link #cached} raises the cache's revision before it drains, so a commit is timed exactly once.
     */
    void committed(long revision, long nowNanos) {
        committed.put(revision, nowNanos);
        if (revision <= cachedRevision && committed.remove(revision, nowNanos)) {
            record(0);
        }
        while (committed.size() > MAX_PENDING) {
            committed.pollFirstEntry();
        }
    }

    /**
     * The cache was listed afresh at {@code revision} (its first list, or its etcd came back without its data):
     * when the commits it now holds got there is unknown, so they are not timed, and revisions start over.
     */
    void reset(long revision) {
        cachedRevision = revision;
        committed.clear();
    }

    /** This proxy's cache now holds every revision up to {@code revision}. */
    void cached(long revision, long nowNanos) {
        cachedRevision = Math.max(cachedRevision, revision); // reset() alone may lower it
        Map.Entry<Long, Long> e;
        while ((e = committed.firstEntry()) != null && e.getKey() <= revision) {
            if (committed.remove(e.getKey(), e.getValue())) {
                record(nowNanos - e.getValue());
            }
        }
    }

    private void record(long nanos) {
        cache.record(nanos);
        cacheTimer.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** The figures a heartbeat carries. */
    ExportStages stages() {
        return ExportStages.newBuilder().setExport(export.summary().toProto()).setCache(cache.summary().toProto())
                .build();
    }
}
