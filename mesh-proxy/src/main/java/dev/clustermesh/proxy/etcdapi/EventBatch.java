package dev.clustermesh.proxy.etcdapi;

import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.ResponseHeader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One upstream batch of events on its way to every downstream watch, selected and encoded at most once per
 * {@link Watching.Shape}: a thousand watches of {@code mesh/v1/} cost one encoding, not a thousand.
 *
 * <p>Used by the fan-out thread only, under the cache lock, for the duration of one delivery.
 */
final class EventBatch {
    private final List<Event> events;
    private final long firstRevision;
    private final ResponseHeader header;
    private final Map<Watching.Shape, EncodedEvents> byShape = new HashMap<>();
    private byte[] headerBytes;

    /** A batch of {@code events} (revision order), to be sent with {@code header}. */
    EventBatch(List<Event> events, ResponseHeader header) {
        this.events = events;
        this.firstRevision = events.isEmpty() ? Long.MAX_VALUE : events.get(0).getKv().getModRevision();
        this.header = header;
    }

    /** The batch's events, revision order. */
    List<Event> events() {
        return events;
    }

    /** Revision of the batch's first event. */
    long firstRevision() {
        return firstRevision;
    }

    /** The encoded header shared by every response of this batch. */
    byte[] header() {
        if (headerBytes == null) {
            headerBytes = header.toByteArray();
        }
        return headerBytes;
    }

    /** The events {@code w} wants from this batch, encoded; {@link EncodedEvents#NONE} when none. */
    EncodedEvents eventsFor(Watching w) {
        if (w.start() > firstRevision) {
            // Only a watch created for a future revision filters by revision: its selection is its own.
            return EncodedEvents.encode(w.select(events));
        }
        return byShape.computeIfAbsent(w.shape(), s -> EncodedEvents.encode(w.select(events)));
    }
}
