package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.api.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Events encoded as the {@code events} fields (number 11) of a {@code WatchResponse}: tag, length and event,
 * one after the other, ready to be appended to any watch's header and ID.
 *
 * @param bytes the encoded fields; shared, never modified
 * @param count how many events they hold
 * @param firstRevision the revision of the first event (0 when none)
 */
record EncodedEvents(byte[] bytes, int count, long firstRevision) {
    static final EncodedEvents NONE = new EncodedEvents(new byte[0], 0, 0);
    private static final int EVENTS_FIELD = 11;

    /** Encodes {@code events}; {@link #NONE} when empty. */
    static EncodedEvents encode(List<Event> events) {
        if (events.isEmpty()) {
            return NONE;
        }
        int size = 0;
        for (Event e : events) {
            size += CodedOutputStream.computeMessageSize(EVENTS_FIELD, e);
        }
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            for (Event e : events) {
                o.writeMessage(EVENTS_FIELD, e);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding watch events", e);
        }
        return new EncodedEvents(out, events.size(), events.get(0).getKv().getModRevision());
    }

    boolean isEmpty() {
        return count == 0;
    }
}
