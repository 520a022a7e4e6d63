package dev.clustermesh.dns.mesh;

import dev.clustermesh.core.mesh.MeshFollower;
import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.worker.Backoff;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.dns.zone.Zone;
import dev.clustermesh.dns.zone.ZoneCompute;
import dev.clustermesh.dns.zone.ZoneSettings;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Keeps the served zone equal to the merged view: watchers only mark dirty; this one worker takes a snapshot,
 * computes the whole zone and swaps it in. Changes arriving during a computation are picked up by the next one,
 * at most one per minimum interval. A failed computation keeps the previous zone, is logged and retried after a
 * second.
 */
final class ZoneBuilder implements MeshFollower.Consumer {
    private static final Logger LOG = Logger.getLogger(ZoneBuilder.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final ZoneSettings settings;
    private final MeshView view;
    private final MeshObserver observer;
    private final Worker worker;
    private volatile Zone zone;

    ZoneBuilder(ZoneSettings settings, MeshView view, MeshObserver observer, Duration minInterval) {
        this.settings = settings;
        this.view = view;
        this.observer = observer;
        this.zone = ZoneCompute.empty(settings, Instant.now().getEpochSecond());
        this.worker = Worker.builder("mesh-dns-zone-builder", full -> build()).minInterval(minInterval)
                .backoff(Backoff.constant(RETRY)).build();
    }

    @Override
    public Worker worker() {
        return worker;
    }

    /** The zone being served: one volatile read. */
    Zone zone() {
        return zone;
    }

    /** Every run is a full computation: the zone is small next to the time a diff would save. */
    private void build() {
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
            throw e;
        }
    }
}
