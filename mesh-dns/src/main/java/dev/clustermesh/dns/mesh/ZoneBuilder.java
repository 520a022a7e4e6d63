package dev.clustermesh.dns.mesh;

import dev.clustermesh.core.mesh.DirtySignal;
import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.dns.zone.Zone;
import dev.clustermesh.dns.zone.ZoneCompute;
import dev.clustermesh.dns.zone.ZoneSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Keeps the served zone equal to the merged view: watchers only mark dirty; this one thread takes a snapshot,
 * computes the whole zone and swaps it in. Changes arriving during a computation are picked up by the next one,
 * at most one per minimum interval. A failed computation keeps the previous zone, is logged and retried.
 */
final class ZoneBuilder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ZoneBuilder.class);
    private static final long RETRY_MILLIS = 1000;

    private final ZoneSettings settings;
    private final MeshView view;
    private final MeshObserver observer;
    private final long minIntervalNanos;
    private final DirtySignal signal = new DirtySignal();
    private final Thread thread;
    private volatile Zone zone;

    ZoneBuilder(ZoneSettings settings, MeshView view, MeshObserver observer, Duration minInterval) {
        this.settings = settings;
        this.view = view;
        this.observer = observer;
        this.minIntervalNanos = minInterval.toNanos();
        this.zone = ZoneCompute.empty(settings, Instant.now().getEpochSecond());
        this.thread = new Thread(this::run, "mesh-dns-zone-builder");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks for a new zone; cheap, never blocks for long. */
    void markDirty() {
        signal.mark();
    }

    /** The zone being served: one volatile read. */
    Zone zone() {
        return zone;
    }

    private void run() {
        long last = 0;
        while (signal.await()) {
            long wait = last + minIntervalNanos - System.nanoTime();
            if (last != 0 && wait > 0 && signal.pause(TimeUnit.NANOSECONDS.toMillis(wait) + 1)) {
                return;
            }
            long start = System.nanoTime();
            try {
                MeshSnapshot snapshot = view.snapshot();
                Zone current = zone;
                Zone next = ZoneCompute.compute(settings, snapshot, current.serial(), observer::skipped);
                if (!next.sameRecords(current)) {
                    // The serial grows only when a record changes (a status tick changes the view, not the
                    // zone): seconds since the epoch, or one more when changes come faster.
                    next = next.withSerial(Math.max(current.serial() + 1, Instant.now().getEpochSecond()));
                }
                zone = next;
                long now = System.nanoTime();
                observer.zoneBuilt(next.namesServed(), now - start, now - snapshot.changedAtNanos());
            } catch (RuntimeException e) {
                LOG.errorf(e, "computing the zone failed; serving the previous one and retrying");
                if (signal.pause(RETRY_MILLIS)) {
                    return;
                }
                markDirty();
            }
            last = start;
        }
    }

    @Override
    public void close() {
        signal.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
