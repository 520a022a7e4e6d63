package dev.clustermesh.proxy.cache;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.ResponseHeader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * This cluster's {@code mesh/v1/} keys at one etcd revision, plus a bounded event history.
 *
 * <p>Thread-safe: one upstream feed mutates it; API calls read it; every method holds the cache lock, and
 * listeners run under it, so a registration and the events after it cannot interleave.
 */
public final class KvCache {
    private final NavigableMap<ByteString, KeyValue> kvs =
            new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    private final History history;
    private final List<CacheListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private long revision;
    /** The revision of the latest event applied (or of the list): events at or below it are not applied again. */
    private long eventRevision;
    private long clusterId;
    private long memberId;
    private long raftTerm;
    private boolean ready;
    private long bytes;
    /**
     * The highest revision served before the upstream went back (an etcd that lost its data counts from the start
     * again); 0 when it never did. Revisions up to it that the new upstream has not reached name the old data.
     */
    private long wentBackFrom;

    /**
     * A cache keeping at most {@code historySize} events, weighing at most {@code historyBytes}, for watches
     * from older revisions and reads at past revisions.
     */
    public KvCache(int historySize, long historyBytes) {
        this.history = new History(historySize, historyBytes);
    }

    private record Waiter(long revision, CompletableFuture<Long> done) {
    }

    /** Registers a listener for every later change. */
    public void addListener(CacheListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    /**
     * Replaces the content with a full list taken at {@code header.revision}. When the cache was already
     * serving and the revision moved, events in between are unknown: listeners get {@link CacheListener#onReset}.
     */
    public synchronized void reset(ResponseHeader header, Collection<KeyValue> listed) {
        long listRevision = header.getRevision();
        boolean first = !ready;
        boolean gap = ready && listRevision != revision;
        if (ready && listRevision < revision) {
            wentBackFrom = Math.max(wentBackFrom, revision);
        }
        kvs.clear();
        bytes = 0;
        for (KeyValue kv : listed) {
            kvs.put(kv.getKey(), kv);
            bytes += kv.getSerializedSize();
        }
        adoptHeader(header);
        revision = listRevision;
        eventRevision = listRevision;
        if (!ready || gap) {
            history.resetTo(listRevision);
        }
        ready = true;
        if (first) {
            listeners.forEach(CacheListener::onReady);
        }
        if (gap) {
            listeners.forEach(l -> l.onReset(listRevision));
        }
        wake();
    }

    /**
     * Applies upstream events (revision order); {@code headerRevision} is the response's revision. A previous
     * value equal to the one held is replaced by the held object, so history and keys share one copy.
     */
    public synchronized void apply(List<Event> events, long headerRevision) {
        List<Event> applied = new ArrayList<>(events.size());
        // Events of revisions the cache already applied are not applied twice: an upstream watch replaced while
        // the old one was still delivering (a silent watch that was only slow) repeats them. The floor is the
        // last event's revision, not the cache's: a response's header may run ahead of the events still to come.
        long floor = eventRevision;
        for (Event e : events) {
            KeyValue kv = e.getKv();
            if (kv.getModRevision() <= floor) {
                continue;
            }
            eventRevision = Math.max(eventRevision, kv.getModRevision());
            KeyValue held = kvs.get(kv.getKey());
            int weight = e.getSerializedSize();
            if (held != null && e.hasPrevKv() && e.getPrevKv().getModRevision() == held.getModRevision()) {
                // The previous value is the one held (or, once that is replaced, the one an older event holds).
                weight -= e.getPrevKv().getSerializedSize();
                e = e.getPrevKv() == held ? e : e.toBuilder().setPrevKv(held).build();
            }
            KeyValue old = e.getType() == Event.EventType.PUT ? kvs.put(kv.getKey(), kv) : kvs.remove(kv.getKey());
            bytes += (e.getType() == Event.EventType.PUT ? kv.getSerializedSize() : 0)
                    - (old == null ? 0 : old.getSerializedSize());
            history.add(e, weight);
            applied.add(e);
            revision = Math.max(revision, kv.getModRevision());
        }
        if (!applied.isEmpty()) {
            revision = Math.max(revision, headerRevision);
            listeners.forEach(l -> l.onEvents(applied, revision));
        } else if (headerRevision > revision) {
            revision = headerRevision;
            listeners.forEach(l -> l.onProgress(revision));
        }
        wake();
    }

    /**
     * Completes once the cache has reached {@code wanted} (at once when it has). Never completes otherwise:
     * callers bound the wait ({@link CompletableFuture#orTimeout}).
     */
    public synchronized CompletableFuture<Long> awaitRevision(long wanted) {
        if (ready && revision >= wanted) {
            return CompletableFuture.completedFuture(revision);
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        waiters.add(new Waiter(wanted, done));
        return done;
    }

    private void wake() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            if (w.done().isDone()) {
                it.remove();
            } else if (ready && revision >= w.revision()) {
                it.remove();
                w.done().complete(revision);
            }
        }
    }

    /** True once the first full list is in. */
    public synchronized boolean ready() {
        return ready;
    }

    /** The etcd revision the cache reflects. */
    /** The revision of the latest event applied, or of the list when none came since: a new watch starts after it. */
    public synchronized long eventRevision() {
        return eventRevision;
    }

    public synchronized long revision() {
        return revision;
    }

    /** Number of keys held. */
    public synchronized int size() {
        return kvs.size();
    }

    /** Approximate bytes of the keys and values held. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Events held for watches from older revisions. */
    public synchronized int historySize() {
        return history.size();
    }

    /** Weight in bytes of the events held for watches from older revisions. */
    public synchronized long historyBytes() {
        return history.bytes();
    }

    /** The oldest revision a read or watch may ask for (0 before the first list). */
    public synchronized long oldestRevision() {
        return history.floor();
    }

    /** The leases (non-zero IDs, ascending) attached to held keys that {@code visible} accepts. */
    public synchronized java.util.SortedSet<Long> leases(java.util.function.Predicate<ByteString> visible) {
        java.util.SortedSet<Long> out = new java.util.TreeSet<>();
        for (KeyValue kv : kvs.values()) {
            if (kv.getLease() != 0 && visible.test(kv.getKey())) {
                out.add(kv.getLease());
            }
        }
        return out;
    }

    /** A response header at the current revision, with the upstream cluster's IDs. */
    public synchronized ResponseHeader header() {
        return ResponseHeader.newBuilder().setClusterId(clusterId).setMemberId(memberId)
                .setRaftTerm(raftTerm).setRevision(revision).build();
    }

    /**
     * The keys of {@code range} in key order (a copy) with the header of the same revision.
     *
     * @param header the header at the revision the keys were read at
     * @param kvs the keys, in key order
     */
    public record Read(ResponseHeader header, List<KeyValue> kvs) {
    }

    /** Runs {@code reads} with no change applied meanwhile, so several reads see one revision. */
    public synchronized <T> T consistent(java.util.function.Supplier<T> reads) {
        return reads.get();
    }

    /** Reads {@code range} and the current header under one lock. */
    public synchronized Read read(RangeQuery range) {
        return new Read(header(), range(range));
    }

    /**
     * Reads {@code range} as it was at {@code atRevision} (0 or less: the current revision), with the header of
     * the current revision, as etcd answers.
     *
     * @throws RevisionUnavailable when the revision is newer than the cache's or older than its history
     */
    public synchronized Read read(RangeQuery range, long atRevision) {
        if (atRevision <= 0 || atRevision == revision) {
            return read(range);
        }
        if (atRevision > revision) {
            throw RevisionUnavailable.future(atRevision, revision);
        }
        if (atRevision < history.floor()) {
            throw RevisionUnavailable.compacted(atRevision, history.floor());
        }
        NavigableMap<ByteString, KeyValue> then = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
        range(range).forEach(kv -> then.put(kv.getKey(), kv));
        // Undo, newest first, every change made after the revision: a PUT without a previous value created the
        // key; otherwise the previous value is what the key held before.
        for (Iterator<Event> it = history.newestFirstDownTo(atRevision); it.hasNext();) {
            Event e = it.next();
            ByteString key = e.getKv().getKey();
            if (!range.contains(key)) {
                continue;
            }
            if (e.hasPrevKv()) {
                then.put(key, e.getPrevKv());
            } else {
                then.remove(key);
            }
        }
        return new Read(header(), new ArrayList<>(then.values()));
    }

    private List<KeyValue> range(RangeQuery range) {
        if (range.single()) {
            KeyValue kv = kvs.get(range.key());
            return kv == null ? List.of() : List.of(kv);
        }
        NavigableMap<ByteString, KeyValue> view = range.unbounded() ? kvs.tailMap(range.key(), true)
                : ByteString.unsignedLexicographicalComparator().compare(range.key(), range.rangeEnd()) >= 0
                        ? new TreeMap<>() : kvs.subMap(range.key(), true, range.rangeEnd(), false);
        return new ArrayList<>(view.values());
    }

    /**
     * Runs {@code registration} atomically with the events after {@code startRevision}: no event is applied
     * while it runs. {@code startRevision} 0 means "from the next revision". A start revision the cache has not
     * reached yet but served before its upstream went back is compacted, not awaited: it follows a list of the lost
     * data (read from this cache just before its re-list), and waiting would leave the watch silent until the new
     * upstream happens to count that far.
     *
     * @param registration receives the replay (events at or above the start revision, oldest first), or
     *        {@code null} when those events are no longer known (compacted); returns the caller's result
     */
    public synchronized <T> T atomically(long startRevision, Function<Replay, T> registration) {
        long start = startRevision == 0 ? revision + 1 : startRevision;
        if (!ready) {
            return registration.apply(new Replay(false, start, List.of(), 0, header()));
        }
        if (start <= history.floor() || (start > revision + 1 && start <= wentBackFrom + 1)) {
            return registration.apply(new Replay(true, start, null, history.floor() + 1, header()));
        }
        return registration.apply(new Replay(true, start, history.since(start), 0, header()));
    }

    /**
     * Runs {@code step} with the events from {@code start} on (whole revisions, about {@code maxBytes} of them)
     * while no event is applied, for a watch catching up from the history. The replay is compacted when those
     * events are gone; its events are empty when the watch has caught up.
     */
    public synchronized <T> T catchUp(long start, long maxBytes, Function<Replay, T> step) {
        if (start <= history.floor()) {
            return step.apply(new Replay(true, start, null, history.floor() + 1, header()));
        }
        return step.apply(new Replay(true, start, history.since(start, maxBytes), 0, header()));
    }

    /**
     * What a new watch must first be sent.
     *
     * @param ready false before the first list: the watch cannot be served yet
     * @param start the first revision the watch wants
     * @param events the known events from {@code start} on, or {@code null} when compacted
     * @param compactRevision the oldest revision a watch may start at, when compacted; else 0
     * @param header the header at the current revision
     */
    public record Replay(boolean ready, long start, List<Event> events, long compactRevision, ResponseHeader header) {
        public boolean compacted() {
            return events == null;
        }
    }

    private void adoptHeader(ResponseHeader h) {
        clusterId = h.getClusterId();
        memberId = h.getMemberId();
        raftTerm = h.getRaftTerm();
    }
}
