package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.access.Refusal;
import dev.clustermesh.proxy.cache.KvCache;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One client's Watch stream, carrying any number of watches. Creation, cancellation and live delivery run
 * under the cache lock, so a watch gets "created", then every event from its start revision, in order, once.
 *
 * <p>A watch is either live (sent each upstream batch as it comes, the encoding shared with every watch of
 * its shape) or catching up (sent the history from its next revision, one bounded step whenever the stream
 * has sent everything queued). A new watch from an older revision starts catching up; a stream whose queue
 * would go past its bound or the global budget drops its queued events and catches up too. A watch whose next
 * revision has left the history is cancelled with etcd's compaction answer, which clients act on by
 * listing again: a watch never skips events silently.
 */
final class WatchStream {
    /** Bytes of history one catch-up step reads (whole revisions, so at least one). */
    static final long CATCH_UP_STEP_BYTES = 64 * 1024;
    /** etcd's answer to a second watch with the same client-chosen ID on one stream. */
    static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";

    private final ClientIdentity who;
    /** Why this stream's caller may no longer read (the access list changed), or empty while it may. */
    private final Supplier<Optional<Refusal>> admission;
    private final StreamSender sender;
    private final KvCache cache;
    private final WatchHub hub;
    private final AccessPolicy policy;
    private final ApiMetrics metrics;
    private final SharedEncodings encodings;
    private final Map<Long, Watching> watches = new ConcurrentHashMap<>();
    /** Watches catching up, by ID: the next revision each needs. Changed under the cache lock. */
    private final Map<Long, Long> lagging = new ConcurrentHashMap<>();
    /** Creates that arrived before the cache's first list, in order; guarded by the cache lock. */
    private final Map<Long, WatchCreateRequest> held = new LinkedHashMap<>();
    /** A progress request came while watches were catching up: answer it once they have. */
    private boolean progressOwed;
    private long nextId;
    private volatile boolean closed;

    WatchStream(ClientIdentity who, Supplier<Optional<Refusal>> admission, StreamObserver<WatchFrame> out,
            long maxQueuedBytes, QueueBudget budget, KvCache cache, WatchHub hub, AccessPolicy policy,
            ApiMetrics metrics, SharedEncodings encodings) {
        this.who = who;
        this.admission = admission;
        this.sender = new StreamSender(out, maxQueuedBytes, budget, metrics, this::closedByTransport);
        this.sender.refillFrom(this::catchUp);
        this.cache = cache;
        this.hub = hub;
        this.policy = policy;
        this.metrics = metrics;
        this.encodings = encodings;
    }

    /** Handles one request from the client. */
    void handle(WatchRequest req) {
        switch (req.getRequestUnionCase()) {
            case CREATE_REQUEST -> create(req.getCreateRequest());
            case CANCEL_REQUEST -> cache.consistent(() -> cancel(req.getCancelRequest().getWatchId()));
            case PROGRESS_REQUEST -> cache.consistent(this::progressRequested);
            default -> {
            }
        }
    }

    private boolean progressRequested() {
        if (lagging.isEmpty()) {
            send(WatchResponse.newBuilder().setHeader(cache.header()).setWatchId(-1).build());
        } else {
            progressOwed = true;
        }
        return true;
    }

    /** Starts the watches created before the cache's first list. Called by the hub under the cache lock. */
    void startHeld() {
        Map<Long, WatchCreateRequest> starting = new LinkedHashMap<>(held);
        held.clear();
        starting.forEach(this::start);
    }

    private void create(WatchCreateRequest r) {
        Optional<String> refused = r.getStartRevision() < 0
                ? Optional.of("start revision " + r.getStartRevision() + " is negative")
                : policy.denial(who, new dev.clustermesh.proxy.cache.RangeQuery(r.getKey(), r.getRangeEnd()))
                        .map(d -> ApiErrors.PERMISSION_DENIED);
        cache.consistent(() -> {
            // Under the cache lock, as the access list's revocation runs: a create either sees the new list here,
            // or is in the hub when the revocation looks.
            Optional<Refusal> revoked = admission.get();
            if (revoked.isPresent()) {
                deny(revoked.get());
                return true;
            }
            long requested = Watching.requestedId(r);
            if (requested != 0 && (watches.containsKey(requested) || held.containsKey(requested))) {
                return send(refusal(cache.header(), -1, DUPLICATE_ID));
            }
            long id = requested != 0 ? requested : nextFreeId();
            if (refused.isPresent()) {
                metrics.request("Watch", "PERMISSION_DENIED");
                return send(refusal(cache.header(), id, refused.get()));
            }
            if (!cache.ready()) {
                // Answered once the first list is in, so the client never sees a start-up race.
                held.put(id, r);
                hub.add(this);
                return true;
            }
            return start(id, r);
        });
    }

    private long nextFreeId() {
        while (watches.containsKey(nextId) || held.containsKey(nextId)) {
            nextId++;
        }
        return nextId++;
    }

    /** Under the cache lock: answers "created", then starts the watch live or catching up. */
    private boolean start(long id, WatchCreateRequest r) {
        return cache.atomically(Math.max(0, r.getStartRevision()), replay -> {
            ResponseHeader h = replay.header();
            send(WatchResponse.newBuilder().setHeader(h).setWatchId(id).setCreated(true).build());
            if (replay.compacted()) {
                return send(compacted(h, id, replay.compactRevision()));
            }
            Watching w = Watching.of(id, r, replay.start());
            watches.put(id, w);
            metrics.watchers(who, 1);
            hub.add(this);
            if (!replay.events().isEmpty()) {
                lagging.put(id, replay.start());
                sender.kick();
            }
            return true;
        });
    }

    /** Sends each live watch its events of {@code batch}. Called by the hub, under the cache lock. */
    void deliver(EventBatch batch) {
        if (closed) {
            return;
        }
        for (Watching w : watches.values()) {
            if (lagging.containsKey(w.id())) {
                continue;
            }
            EncodedEvents events = batch.eventsFor(w);
            if (events.isEmpty()) {
                continue;
            }
            for (WatchFrame f : EventFrames.of(batch.header(), w, events, () -> w.select(batch.events()))) {
                if (!sender.offer(f)) {
                    fallBehind(batch.firstRevision());
                    return;
                }
            }
        }
    }

    /**
     * Under the cache lock: the queue is full. Drops its events and has every watch catch up from the first
     * revision it has not been sent: that of its first dropped frame, else that of the batch being delivered.
     */
    private void fallBehind(long batchRevision) {
        Map<Long, Long> firstDropped = new HashMap<>();
        for (WatchFrame f : sender.dropEvents()) {
            firstDropped.merge(f.watchId(), f.firstRevision(), Math::min);
        }
        for (Watching w : watches.values()) {
            long dropped = firstDropped.getOrDefault(w.id(), Long.MAX_VALUE);
            lagging.merge(w.id(), Math.min(dropped, batchRevision), (was, now) -> Math.min(was, dropped));
        }
        metrics.watchStreamBehind();
        sender.kick();
    }

    /**
     * One catch-up step, on the stream's event loop when everything queued is sent: reads the history from each
     * lagging watch's next revision under the cache lock, then encodes and queues it outside the lock. A watch
     * with nothing left turns live (under the lock, so no batch falls in between).
     *
     * @return false when no watch is catching up
     */
    private boolean catchUp() {
        if (closed || (lagging.isEmpty() && !progressOwed)) {
            return false;
        }
        List<Step> steps = cache.consistent(this::readSteps);
        for (Step s : steps) {
            byte[] header = s.header().toByteArray();
            for (WatchFrame f : EventFrames.shared(header, s.watch(), s.events(), encodings)) {
                sender.send(f);
            }
        }
        return !steps.isEmpty() || !lagging.isEmpty();
    }

    private record Step(Watching watch, ResponseHeader header, List<Event> events) {
    }

    private List<Step> readSteps() {
        List<Step> steps = new ArrayList<>();
        long budget = CATCH_UP_STEP_BYTES;
        for (Map.Entry<Long, Long> e : new TreeMap<>(lagging).entrySet()) {
            Watching w = watches.get(e.getKey());
            if (w == null) {
                lagging.remove(e.getKey());
                continue;
            }
            KvCache.Replay r = cache.catchUp(e.getValue(), budget, x -> x);
            if (r.compacted()) {
                metrics.watchTooFarBehind();
                send(compacted(r.header(), w.id(), r.compactRevision()));
                drop(w.id());
                continue;
            }
            if (r.events().isEmpty()) {
                lagging.remove(w.id());
                continue;
            }
            long last = r.events().get(r.events().size() - 1).getKv().getModRevision();
            lagging.put(w.id(), last + 1);
            List<Event> mine = w.filter(r.events());
            if (!mine.isEmpty()) {
                steps.add(new Step(w, r.header().toBuilder().setRevision(last).build(), mine));
            }
            budget -= r.events().stream().mapToLong(Event::getSerializedSize).sum();
            if (budget <= 0) {
                break;
            }
        }
        if (steps.isEmpty() && lagging.isEmpty() && progressOwed) {
            progressOwed = false;
            send(WatchResponse.newBuilder().setHeader(cache.header()).setWatchId(-1).build());
        }
        return steps;
    }

    /** Tells every watch its events are gone, then drops it. Under the cache lock. */
    void compactAll(long compactRevision) {
        ResponseHeader h = cache.header();
        sender.dropEvents();
        for (Watching w : List.copyOf(watches.values())) {
            send(compacted(h, w.id(), compactRevision));
            drop(w.id());
        }
    }

    /** Sends a progress response to every live watch that asked for them. Under the cache lock. */
    void progress() {
        ResponseHeader h = cache.header();
        watches.values().stream().filter(w -> w.progressNotify() && !lagging.containsKey(w.id()))
                .forEach(w -> send(WatchResponse.newBuilder().setHeader(h).setWatchId(w.id()).build()));
    }

    /**
     * Wakes the stream's drain when watches are catching up but no drain is scheduled, which should never
     * happen; returns whether it did (the hub counts it, so a missed wake-up shows instead of hanging a watch).
     */
    boolean wakeIfStalled() {
        if ((lagging.isEmpty() && !progressOwed) || !sender.idle()) {
            return false;
        }
        sender.kick();
        return true;
    }

    /** True while some of its watches catch up from the history. */
    boolean catchingUp() {
        return !lagging.isEmpty();
    }

    /** True while its drain waits for the client to read. */
    boolean waitingForClient() {
        return sender.waitingForClient();
    }

    /** Ends the stream after a failure delivering to it (an Error included); the client watches again. */
    void abort(Throwable cause) {
        sender.abort(cause);
    }

    private boolean cancel(long id) {
        if (drop(id)) {
            send(WatchResponse.newBuilder().setHeader(cache.header()).setWatchId(id).setCanceled(true).build());
        }
        return true;
    }

    private boolean drop(long id) {
        lagging.remove(id);
        if (watches.remove(id) == null) {
            return false;
        }
        metrics.watchers(who, -1);
        return true;
    }

    /** Why this stream's caller may no longer read, or empty while it may (checked when the access list changes). */
    Optional<Refusal> revoked() {
        return admission.get();
    }

    /** Ends the stream with PERMISSION_DENIED: its caller may no longer read. Counted as a refusal. */
    void deny(Refusal why) {
        metrics.refused("Watch", who.toString(), why.reason());
        sender.end(ApiErrors.denied(why.message()));
    }

    /** Ends the stream: drops every watch. Safe to call more than once, from any thread. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        sender.close();
        release();
    }

    private void release() {
        hub.remove(this);
        watches.keySet().forEach(this::drop);
    }

    private boolean send(WatchResponse r) {
        sender.send(WatchFrame.of(r));
        return true;
    }

    private void closedByTransport() {
        synchronized (this) {
            closed = true;
        }
        release();
    }

    private static WatchResponse refusal(ResponseHeader h, long id, String why) {
        return WatchResponse.newBuilder().setHeader(h).setWatchId(id).setCreated(true).setCanceled(true)
                .setCancelReason(why).build();
    }

    private static WatchResponse compacted(ResponseHeader h, long id, long compactRevision) {
        return WatchResponse.newBuilder().setHeader(h).setWatchId(id).setCompactRevision(compactRevision)
                .setCanceled(true).setCancelReason("etcdserver: mvcc: required revision has been compacted").build();
    }
}
