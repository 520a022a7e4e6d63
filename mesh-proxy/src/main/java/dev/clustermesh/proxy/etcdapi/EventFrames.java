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

    /** Frames of {@code events} (already selected and shaped for {@code w}). */
    static List<WatchFrame> of(byte[] header, Watching w, List<Event> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        return of(header, w, EncodedEvents.encode(events), () -> events);
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
