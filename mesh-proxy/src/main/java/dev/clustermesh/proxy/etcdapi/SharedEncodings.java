package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.api.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encoded {@code events} fields (number 11) of history events, with and without their previous value, shared
 * by every stream catching up over them: streams that fell behind together read the same stretch of history,
 * and each event is then encoded once, not once per stream. Least recently used entries leave first once the
 * encodings weigh more than the bound. Thread-safe.
 */
final class SharedEncodings {
    private static final int EVENTS_FIELD = 11;

    private final long maxBytes;
    private final Map<Key, byte[]> lru = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    /** Keeps at most {@code maxBytes} of encodings. */
    SharedEncodings(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** An event, by identity: history events are immutable and shared, and protobuf's equals is deep. */
    private record Key(Event event, boolean prevKv) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.event == event && k.prevKv == prevKv;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(event) * 31 + (prevKv ? 1 : 0);
        }
    }

    /** The field encoding of {@code e}, with its previous value only when {@code prevKv}. */
    byte[] encoded(Event e, boolean prevKv) {
        Key key = new Key(e, prevKv && e.hasPrevKv());
        synchronized (this) {
            byte[] known = lru.get(key);
            if (known != null) {
                return known;
            }
        }
        Event shaped = prevKv || !e.hasPrevKv() ? e : e.toBuilder().clearPrevKv().build();
        byte[] out = new byte[CodedOutputStream.computeMessageSize(EVENTS_FIELD, shaped)];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            o.writeMessage(EVENTS_FIELD, shaped);
            o.checkNoSpaceLeft();
        } catch (IOException ex) {
            throw new UncheckedIOException("encoding a watch event", ex);
        }
        synchronized (this) {
            if (lru.putIfAbsent(key, out) == null) {
                bytes += out.length;
                var it = lru.entrySet().iterator();
                while (bytes > maxBytes && it.hasNext()) {
                    bytes -= it.next().getValue().length;
                    it.remove();
                }
            }
        }
        return out;
    }
}
