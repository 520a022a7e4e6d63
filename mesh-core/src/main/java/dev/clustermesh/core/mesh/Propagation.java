package dev.clustermesh.core.mesh;

import dev.clustermesh.proto.mesh.v1.ExportStages;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where each cluster's changes spend their time on the way to this agent's datapath ({@link Stage}): the
 * cluster's own export and cache figures as its heartbeat carries them, transit from its heartbeats' write times,
 * and applied from the time each revision was received to the drain that programmed it. Not thread-safe: the
 * {@link MeshView} calls it under its lock; the sink is called there too and must not block.
 */
final class Propagation {
    /** Revisions waiting to be programmed, per cluster, at most; later ones are then not timed (older ones are). */
    static final int MAX_PENDING = 4096;

    /** Receives every sample this agent measures. */
    interface Sink {
        Sink NONE = (cluster, stage, nanos) -> {
        };

        void sample(String cluster, Stage stage, long nanos);
    }

    private static final class PerCluster {
        /** {revision, nanoTime received}, oldest first. */
        final ArrayDeque<long[]> arrivals = new ArrayDeque<>();
        long lastRevision;
        final LatencyWindow transit = new LatencyWindow();
        final LatencyWindow applied = new LatencyWindow();
        ExportStages remote = ExportStages.getDefaultInstance();
    }

    private final Sink sink;
    private final Map<String, PerCluster> clusters = new HashMap<>();

    Propagation(Sink sink) {
        this.sink = sink;
    }

    /** {@code cluster}'s state is now at {@code revision}; a lower one than before means its etcd started over. */
    void received(String cluster, long revision, long nowNanos) {
        PerCluster c = clusters.computeIfAbsent(cluster, k -> new PerCluster());
        if (revision < c.lastRevision) {
            c.arrivals.clear();
        } else if (revision == c.lastRevision) {
            return;
        }
        c.lastRevision = revision;
        if (c.arrivals.size() < MAX_PENDING) {
            c.arrivals.addLast(new long[] {revision, nowNanos});
        }
    }

    /** The datapath holds {@code cluster}'s state up to {@code revision}: every revision up to it is timed. */
    void programmed(String cluster, long revision, long nowNanos) {
        PerCluster c = clusters.get(cluster);
        if (c == null) {
            return;
        }
        while (!c.arrivals.isEmpty() && c.arrivals.peekFirst()[0] <= revision) {
            long nanos = nowNanos - c.arrivals.pollFirst()[1];
            c.applied.record(nanos);
            sink.sample(cluster, Stage.APPLIED, nanos);
        }
    }

    /** A heartbeat written at its {@code unix_millis} arrived at {@code receivedMillis} (this machine's clock). */
    void heartbeat(String cluster, Heartbeat h, long receivedMillis) {
        PerCluster c = clusters.computeIfAbsent(cluster, k -> new PerCluster());
        long nanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, receivedMillis - h.getUnixMillis()));
        c.transit.record(nanos);
        sink.sample(cluster, Stage.TRANSIT, nanos);
        if (h.hasStages()) {
            c.remote = h.getStages();
        }
    }

    void removed(String cluster) {
        clusters.remove(cluster);
    }

    /** Per cluster, the figures of every stage with at least one sample, in stage order. */
    Map<String, Map<Stage, LatencyWindow.Summary>> summaries() {
        Map<String, Map<Stage, LatencyWindow.Summary>> out = new HashMap<>();
        clusters.forEach((name, c) -> {
            Map<Stage, LatencyWindow.Summary> stages = new EnumMap<>(Stage.class);
            put(stages, Stage.EXPORT, LatencyWindow.Summary.of(c.remote.getExport()));
            put(stages, Stage.CACHE, LatencyWindow.Summary.of(c.remote.getCache()));
            put(stages, Stage.TRANSIT, c.transit.summary());
            put(stages, Stage.APPLIED, c.applied.summary());
            out.put(name, stages);
        });
        return out;
    }

    private static void put(Map<Stage, LatencyWindow.Summary> stages, Stage s, LatencyWindow.Summary summary) {
        if (summary.samples() > 0) {
            stages.put(s, summary);
        }
    }
}
