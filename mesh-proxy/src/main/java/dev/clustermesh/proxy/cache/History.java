package dev.clustermesh.proxy.cache;

import io.etcd.jetcd.api.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A bounded, revision-ordered log of events. Everything after {@link #floor()} is complete: a revision
 * above the floor has all its events here or none happened. Bounded both by event count and by bytes (each
 * event weighs its encoded size, value and previous value included), evicting whole revisions from the head.
 * Not thread-safe; {@link KvCache} guards it.
 */
final class History {
    /** Per-event bookkeeping (deque slot, Event and KeyValue objects) beyond the encoded size. */
    static final int EVENT_OVERHEAD = 96;

    private final int maxEvents;
    private final long maxBytes;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    /** Each event's weight, in the same order (a previous value shared with the keys held weighs nothing). */
    private final ArrayDeque<Integer> weights = new ArrayDeque<>();
    private long bytes;
    private long floor;

    History(int maxEvents, long maxBytes) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /** Highest revision whose events may be missing; watches can start at {@code floor() + 1}. */
    long floor() {
        return floor;
    }

    int size() {
        return events.size();
    }

    /** The weight of the events held, in bytes. */
    long bytes() {
        return bytes;
    }

    /** Forgets everything at or below {@code revision}. */
    void resetTo(long revision) {
        events.clear();
        weights.clear();
        bytes = 0;
        floor = revision;
    }

    /**
     * Appends an event weighing {@code weight} bytes; evicts whole revisions from the head to stay within both
     * bounds.
     */
    void add(Event e, int weight) {
        events.addLast(e);
        weights.addLast(weight + EVENT_OVERHEAD);
        bytes += weight + EVENT_OVERHEAD;
        while (!events.isEmpty() && (events.size() > maxEvents || bytes > maxBytes)) {
            evictHead();
        }
        // A revision is complete or absent: drop the rest of a partly evicted one.
        while (!events.isEmpty() && revision(events.peekFirst()) <= floor) {
            evictHead();
        }
    }

    private void evictHead() {
        Event head = events.removeFirst();
        bytes -= weights.removeFirst();
        floor = Math.max(floor, revision(head));
    }

    /**
     * Events with revision at or above {@code start}, oldest first.
     *
     * @throws IllegalStateException when {@code start <= floor()}: those events are gone
     */
    List<Event> since(long start) {
        return since(start, Long.MAX_VALUE);
    }

    /**
     * Events from revision {@code start} on, oldest first, whole revisions only, ending with the revision at
     * which their encoded size reaches {@code maxBytes} (so never empty when any event is at or above
     * {@code start}).
     *
     * @throws IllegalStateException when {@code start <= floor()}: those events are gone
     */
    List<Event> since(long start, long maxBytes) {
        if (start <= floor) {
            throw new IllegalStateException("revision " + start + " is at or below the history floor " + floor);
        }
        ArrayList<Event> tail = new ArrayList<>();
        Iterator<Event> it = events.descendingIterator();
        while (it.hasNext()) {
            Event e = it.next();
            if (revision(e) < start) {
                break;
            }
            tail.add(e);
        }
        Collections.reverse(tail);
        if (maxBytes == Long.MAX_VALUE) {
            return tail;
        }
        long total = 0;
        for (int i = 0; i < tail.size(); i++) {
            total += tail.get(i).getSerializedSize();
            boolean revisionEnds = i + 1 == tail.size() || revision(tail.get(i + 1)) != revision(tail.get(i));
            if (total >= maxBytes && revisionEnds) {
                return tail.subList(0, i + 1);
            }
        }
        return tail;
    }

    /** Events above {@code revision}, newest first (for reading the keys as they were at that revision). */
    Iterator<Event> newestFirstDownTo(long revision) {
        Iterator<Event> it = events.descendingIterator();
        return new Iterator<>() {
            private Event next = advance();

            private Event advance() {
                if (it.hasNext()) {
                    Event e = it.next();
                    return revision(e) > revision ? e : null;
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Event next() {
                Event e = next;
                next = advance();
                return e;
            }
        };
    }

    static long revision(Event e) {
        return e.getKv().getModRevision();
    }
}
