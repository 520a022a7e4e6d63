package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.api.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns one watch's events into the frames it is sent: one frame, or for a watch created with
 * {@code fragment} and more than {@link Watching#FRAGMENT_BYTES} of events, several frames of whole events,
 * each but the last marked as a fragment, as etcd splits them.
 */
final class EventFrames {
    private EventFrames() {
    }

    /** Frames of already encoded {@code events} (shared by watches of one shape) for {@code w}. */
    static List<WatchFrame> of(byte[] header, Watching w, EncodedEvents events, Supplier<List<Event>> selected) {
        if (!w.fragment() || events.bytes().length <= Watching.FRAGMENT_BYTES) {
            return List.of(WatchFrame.events(header, w.id(), events));
        }
        return split(header, w, selected.get());
    }

    /**
     * Frames of {@code events} (as {@link Watching#filter} returns them) for {@code w}, from encodings shared
     * with every other stream: one frame, or fragments of at most {@link Watching#FRAGMENT_BYTES} of events.
     */
    static List<WatchFrame> shared(byte[] header, Watching w, List<Event> events, SharedEncodings encodings) {
        List<WatchFrame> frames = new ArrayList<>();
        List<byte[]> chunks = new ArrayList<>();
        long first = 0;
        long size = 0;
        for (Event e : events) {
            byte[] one = encodings.encoded(e, w.prevKv());
            if (w.fragment() && !chunks.isEmpty() && size + one.length > Watching.FRAGMENT_BYTES) {
                frames.add(WatchFrame.chunks(header, w.id(), chunks, first, true));
                chunks.clear();
                size = 0;
            }
            if (chunks.isEmpty()) {
                first = e.getKv().getModRevision();
            }
            chunks.add(one);
            size += one.length;
        }
        if (!chunks.isEmpty()) {
            frames.add(WatchFrame.chunks(header, w.id(), chunks, first, false));
        }
        return frames;
    }

    private static List<WatchFrame> split(byte[] header, Watching w, List<Event> events) {
        List<WatchFrame> frames = new ArrayList<>();
        int from = 0;
        long size = 0;
        for (int i = 0; i < events.size(); i++) {
            int one = CodedOutputStream.computeMessageSize(11, events.get(i));
            if (i > from && size + one > Watching.FRAGMENT_BYTES) {
                frames.add(WatchFrame.events(header, w.id(), EncodedEvents.encode(events.subList(from, i)), true));
                from = i;
                size = 0;
            }
            size += one;
        }
        frames.add(WatchFrame.events(header, w.id(), EncodedEvents.encode(events.subList(from, events.size())), false));
        return frames;
    }
}
