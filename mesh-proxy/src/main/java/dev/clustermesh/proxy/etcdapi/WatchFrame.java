package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One etcd {@code WatchResponse} as it goes on the wire: either a built message (created, canceled, progress,
 * compacted), or events already encoded once for every watch of the same {@link Watching.Shape}, with only
 * this watch's header and ID in front.
 *
 * <p>Why bytes: protobuf's repeated fields concatenate, so {@code header(1) + watch_id(2) + fragment(7) +
 * events(11)...} is a valid {@code WatchResponse} whatever the field order, and two event frames of one watch
 * merge by appending their event bytes. The shared event bytes are never copied per stream: {@link #stream()}
 * writes the small per-watch prefix and then each shared chunk straight into the transport's buffer. Not
 * thread-safe: a frame is built on the fan-out thread, may be merged while it waits in its stream's queue
 * (under that queue's lock), and is written once it has left the queue.
 */
final class WatchFrame {
    /**
     * Merged frames stop growing here: a frame is copied once into the transport of each stream that sends
     * it, so this bounds what a stream holds in flight (the first frame may be larger: one whole revision).
     */
    static final int MAX_MERGED_BYTES = 128 * 1024;
    private static final int HEADER_TAG = (1 << 3) | 2;
    private static final int WATCH_ID_TAG = 2 << 3;
    private static final int FRAGMENT_TAG = 7 << 3;

    private final WatchResponse message;
    private final long watchId;
    private final boolean fragment;
    private final long firstRevision;
    private byte[] header;
    private final List<byte[]> chunks;
    private int events;
    private int eventBytes;
    private int size;

    private WatchFrame(WatchResponse message, long watchId, byte[] header, List<byte[]> chunks, int events,
            boolean fragment, long firstRevision) {
        this.message = message;
        this.watchId = watchId;
        this.header = header;
        this.chunks = chunks;
        this.events = events;
        this.fragment = fragment;
        this.firstRevision = firstRevision;
        this.eventBytes = chunks == null ? 0 : chunks.stream().mapToInt(c -> c.length).sum();
        this.size = message != null ? message.getSerializedSize() : prefixSize() + eventBytes;
    }

    /** A frame carrying a built response. */
    static WatchFrame of(WatchResponse message) {
        return new WatchFrame(message, message.getWatchId(), null, null, message.getEventsCount(), false, 0);
    }

    /**
     * A frame of events for watch {@code watchId}.
     *
     * @param header an encoded {@code ResponseHeader} (the message, without tag or length)
     * @param events encoded {@code events} fields, as {@link EncodedEvents#encode} makes them
     */
    static WatchFrame events(byte[] header, long watchId, EncodedEvents events) {
        return events(header, watchId, events, false);
    }

    /**
     * A frame of events for watch {@code watchId}, marked as a fragment (more of the same response follows)
     * when {@code fragment}.
     */
    static WatchFrame events(byte[] header, long watchId, EncodedEvents events, boolean fragment) {
        List<byte[]> chunks = new ArrayList<>(2);
        chunks.add(events.bytes());
        return new WatchFrame(null, watchId, header, chunks, events.count(), fragment, events.firstRevision());
    }

    /**
     * A frame of already encoded events (each an {@code events} field, shared, never modified) for watch
     * {@code watchId}, marked as a fragment when {@code fragment}.
     */
    static WatchFrame chunks(byte[] header, long watchId, List<byte[]> encoded, long firstRevision, boolean fragment) {
        return new WatchFrame(null, watchId, header, new ArrayList<>(encoded), encoded.size(), fragment, firstRevision);
    }

    /**
     * Appends {@code later}'s events to this frame when both are whole event frames of one watch and the result
     * stays under {@link #MAX_MERGED_BYTES}; the merged frame carries the later header.
     *
     * @return whether {@code later} was merged (and must not be sent itself)
     */
    boolean merge(WatchFrame later) {
        if (message != null || later.message != null || watchId != later.watchId || fragment || later.fragment
                || size + later.eventBytes > MAX_MERGED_BYTES) {
            return false;
        }
        chunks.addAll(later.chunks);
        header = later.header;
        events += later.events;
        eventBytes += later.eventBytes;
        size = prefixSize() + eventBytes;
        return true;
    }

    /** True for a frame of events (not a built control response). */
    boolean carriesEvents() {
        return message == null || message.getEventsCount() > 0;
    }

    /** True for a progress notification (no events, not created or canceled), which must not overtake events. */
    boolean progress() {
        return message != null && message.getEventsCount() == 0 && !message.getCreated() && !message.getCanceled();
    }

    /** The watch this frame is for. */
    long watchId() {
        return watchId;
    }

    /** Revision of the first event carried (0 for a built response). */
    long firstRevision() {
        return firstRevision;
    }

    /** Number of events carried. */
    int eventCount() {
        return events;
    }

    /** Encoded size in bytes. */
    int size() {
        return size;
    }

    /** The encoded response, for the transport: the shared chunks are written, not copied into a new array. */
    InputStream stream() {
        return message != null ? new RangeMethod.BytesStream(message.toByteArray()) : new FrameStream();
    }

    /** The encoded {@code WatchResponse} as one array (tests and clients; the server uses {@link #stream()}). */
    byte[] toByteArray() {
        if (message != null) {
            return message.toByteArray();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a watch response", e);
        }
        return out.toByteArray();
    }

    /** The response as a message (for clients of the marshaller and for tests; the server sends bytes). */
    WatchResponse toMessage() {
        if (message != null) {
            return message;
        }
        try {
            return WatchResponse.parseFrom(toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a watch frame does not parse back", e);
        }
    }

    private void writeTo(OutputStream target) throws IOException {
        byte[] prefix = new byte[prefixSize()];
        CodedOutputStream o = CodedOutputStream.newInstance(prefix);
        o.writeUInt32NoTag(HEADER_TAG);
        o.writeUInt32NoTag(header.length);
        o.writeRawBytes(header);
        if (watchId != 0) {
            o.writeUInt32NoTag(WATCH_ID_TAG);
            o.writeInt64NoTag(watchId);
        }
        if (fragment) {
            o.writeUInt32NoTag(FRAGMENT_TAG);
            o.writeBoolNoTag(true);
        }
        o.checkNoSpaceLeft();
        target.write(prefix);
        for (byte[] c : chunks) {
            target.write(c);
        }
    }

    private int prefixSize() {
        return CodedOutputStream.computeUInt32SizeNoTag(HEADER_TAG) + CodedOutputStream.computeUInt32SizeNoTag(header.length)
                + header.length + (watchId == 0 ? 0
                        : CodedOutputStream.computeUInt32SizeNoTag(WATCH_ID_TAG) + CodedOutputStream.computeInt64SizeNoTag(watchId))
                + (fragment ? 2 : 0);
    }

    /** gRPC transports (Vert.x's bridge included) drain the stream into their buffer in one call. */
    private final class FrameStream extends InputStream implements Drainable, KnownLength {
        private boolean drained;

        @Override
        public int drainTo(OutputStream target) throws IOException {
            if (drained) {
                return 0;
            }
            drained = true;
            writeTo(target);
            return size;
        }

        @Override
        public int available() {
            return drained ? 0 : size;
        }

        @Override
        public int read() throws IOException {
            throw new IOException("a watch frame is drained, not read");
        }
    }
}
