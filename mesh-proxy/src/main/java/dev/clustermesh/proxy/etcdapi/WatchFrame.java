package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.etcd.jetcd.api.WatchResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One etcd {@code WatchResponse} as it goes on the wire: either a built message (created, canceled, progress,
 * compacted), or events already encoded once for every watch of the same {@link Watching.Shape}, with only
 * this watch's header and ID in front.
 *
 * <p>Why bytes: protobuf's repeated fields concatenate, so {@code header(1) + watch_id(2) + events(11)...}
 * is a valid {@code WatchResponse} whatever the field order, and two event frames of one watch merge by
 * appending their event bytes. Not thread-safe: a frame is built on the fan-out thread, may be merged while
 * it waits in its stream's queue (under that queue's lock), and is encoded once it has left the queue.
 */
final class WatchFrame {
    /** Merged frames stop growing here, well below grpc-java's default 4 MiB inbound limit. */
    static final int MAX_MERGED_BYTES = 1 << 20;
    private static final int HEADER_TAG = (1 << 3) | 2;
    private static final int WATCH_ID_TAG = 2 << 3;

    private final WatchResponse message;
    private final long watchId;
    private byte[] header;
    private final List<byte[]> chunks;
    private int events;
    private int eventBytes;
    private int size;

    private WatchFrame(WatchResponse message, long watchId, byte[] header, List<byte[]> chunks, int events) {
        this.message = message;
        this.watchId = watchId;
        this.header = header;
        this.chunks = chunks;
        this.events = events;
        this.eventBytes = chunks == null ? 0 : chunks.stream().mapToInt(c -> c.length).sum();
        this.size = message != null ? message.getSerializedSize() : prefixSize(header, watchId) + eventBytes;
    }

    /** A frame carrying a built response. */
    static WatchFrame of(WatchResponse message) {
        return new WatchFrame(message, message.getWatchId(), null, null, message.getEventsCount());
    }

    /**
     * A frame of events for watch {@code watchId}.
     *
     * @param header an encoded {@code ResponseHeader} (the message, without tag or length)
     * @param events encoded {@code events} fields, as {@link EncodedEvents#encode} makes them
     */
    static WatchFrame events(byte[] header, long watchId, EncodedEvents events) {
        List<byte[]> chunks = new ArrayList<>(2);
        chunks.add(events.bytes());
        return new WatchFrame(null, watchId, header, chunks, events.count());
    }

    /**
     * Appends {@code later}'s events to this frame when both are event frames of one watch and the result
     * stays under {@link #MAX_MERGED_BYTES}; the merged frame carries the later header.
     *
     * @return whether {@code later} was merged (and must not be sent itself)
     */
    boolean merge(WatchFrame later) {
        if (message != null || later.message != null || watchId != later.watchId
                || size + later.eventBytes > MAX_MERGED_BYTES) {
            return false;
        }
        chunks.addAll(later.chunks);
        header = later.header;
        events += later.events;
        eventBytes += later.eventBytes;
        size = prefixSize(header, watchId) + eventBytes;
        return true;
    }

    /** Number of events carried. */
    int eventCount() {
        return events;
    }

    /** Encoded size in bytes. */
    int size() {
        return size;
    }

    /** The encoded {@code WatchResponse}. */
    byte[] toByteArray() {
        if (message != null) {
            return message.toByteArray();
        }
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            o.writeUInt32NoTag(HEADER_TAG);
            o.writeUInt32NoTag(header.length);
            o.writeRawBytes(header);
            if (watchId != 0) {
                o.writeUInt32NoTag(WATCH_ID_TAG);
                o.writeInt64NoTag(watchId);
            }
            for (byte[] c : chunks) {
                o.writeRawBytes(c);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a watch response", e);
        }
        return out;
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

    private static int prefixSize(byte[] header, long watchId) {
        return CodedOutputStream.computeUInt32SizeNoTag(HEADER_TAG) + CodedOutputStream.computeUInt32SizeNoTag(header.length)
                + header.length + (watchId == 0 ? 0
                        : CodedOutputStream.computeUInt32SizeNoTag(WATCH_ID_TAG) + CodedOutputStream.computeInt64SizeNoTag(watchId));
    }
}
