package dev.clustermesh.proxy.cache;

import io.etcd.jetcd.api.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A bounded, revision-ordered log of events. Everything after {@link #floor()} is complete: a revision
 * above the floor has all its events here or none happened. Not thread-safe; {@link KvCache} guards it.
 */
final class History {
    private final int capacity;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private long floor;

    History(int capacity) {
        this.capacity = capacity;
    }

    /** Highest revision whose events may be missing; watches can start at {@code floor() + 1}. */
    long floor() {
        return floor;
    }

    int size() {
        return events.size();
    }

    /** Forgets everything at or below {@code revision}. */
    void resetTo(long revision) {
        events.clear();
        floor = revision;
    }

    /** Appends an event; evicts whole revisions from the head to stay within capacity. */
    void add(Event e) {
        events.addLast(e);
        while (events.size() > capacity) {
            long evicted = events.removeFirst().getKv().getModRevision();
            floor = Math.max(floor, evicted);
        }
        // A revision is complete or absent: drop the rest of a partly evicted one.
        while (!events.isEmpty() && events.peekFirst().getKv().getModRevision() <= floor) {
            events.removeFirst();
        }
    }

    /**
     * Events with revision at or above {@code start}, oldest first.
     *
     * @throws IllegalStateException when {@code start <= floor()}: those events are gone
     */
    List<Event> since(long start) {
        if (start <= floor) {
            throw new IllegalStateException("revision " + start + " is at or below the history floor " + floor);
        }
        ArrayList<Event> out = new ArrayList<>();
        Iterator<Event> it = events.descendingIterator();
        while (it.hasNext()) {
            Event e = it.next();
            if (e.getKv().getModRevision() < start) {
                break;
            }
            out.add(e);
        }
        java.util.Collections.reverse(out);
        return out;
    }
}
