package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client's Watch stream, carrying any number of watches. Creation, cancellation and delivery all run
 * under the cache lock, so a watch gets "created", then its replay, then live events, in order, once.
 */
final class WatchStream {
    private final ClientIdentity who;
    private final StreamSender sender;
    private final KvCache cache;
    private final WatchHub hub;
    private final AccessPolicy policy;
    private final ApiMetrics metrics;
    private final Map<Long, Watching> watches = new ConcurrentHashMap<>();
    /** Creates that arrived before the cache's first list, by watch ID; guarded by the cache lock. */
    private final Map<Long, WatchCreateRequest> held = new java.util.LinkedHashMap<>();
    private long nextId;
    private boolean closed;

    WatchStream(ClientIdentity who, StreamObserver<WatchFrame> out, long maxQueuedBytes, KvCache cache, WatchHub hub,
            AccessPolicy policy, ApiMetrics metrics) {
        this.who = who;
        this.sender = new StreamSender(out, maxQueuedBytes, metrics, this::closedByTransport);
        this.cache = cache;
        this.hub = hub;
        this.policy = policy;
        this.metrics = metrics;
    }

    /** Handles one request from the client. */
    void handle(WatchRequest req) {
        switch (req.getRequestUnionCase()) {
            case CREATE_REQUEST -> create(req.getCreateRequest());
            case CANCEL_REQUEST -> cache.consistent(() -> cancel(req.getCancelRequest().getWatchId()));
            case PROGRESS_REQUEST -> cache.consistent(() -> send(WatchResponse.newBuilder()
                    .setHeader(cache.header()).setWatchId(-1).build()));
            default -> {
            }
        }
    }

    private void create(WatchCreateRequest r) {
        long id;
        synchronized (this) {
            id = nextId++;
        }
        create(id, r);
    }

    /** Starts the watches created before the cache's first list. Called by the hub under the cache lock. */
    void startHeld() {
        Map<Long, WatchCreateRequest> starting = Map.copyOf(held);
        held.clear();
        new java.util.TreeMap<>(starting).forEach(this::create);
    }

    private void create(long id, WatchCreateRequest r) {
        Watching candidate = Watching.of(id, r, 0);
        Optional<String> refused = r.getStartRevision() < 0
                ? Optional.of("start revision " + r.getStartRevision() + " is negative")
                : policy.denial(who, candidate.range()).map(d -> "etcdserver: permission denied: " + d);
        cache.atomically(Math.max(0, r.getStartRevision()), replay -> {
            ResponseHeader h = replay.header();
            if (refused.isEmpty() && !replay.ready()) {
                // Answered once the first list is in, so the client never sees a start-up race.
                held.put(id, r);
                hub.add(this);
                return true;
            }
            if (refused.isPresent()) {
                String why = refused.get();
                return send(WatchResponse.newBuilder().setHeader(h).setWatchId(id).setCreated(true)
                        .setCanceled(true).setCancelReason(why).build());
            }
            send(WatchResponse.newBuilder().setHeader(h).setWatchId(id).setCreated(true).build());
            if (replay.compacted()) {
                return send(compacted(h, id, replay.compactRevision()));
            }
            Watching w = Watching.of(id, r, replay.start());
            watches.put(id, w);
            metrics.watchers(who, 1);
            hub.add(this);
            EncodedEvents events = EncodedEvents.encode(w.select(replay.events()));
            return events.isEmpty() || sender.send(WatchFrame.events(h.toByteArray(), id, events));
        });
    }

    /** Sends each watch its events of {@code batch}. Called by the hub, under the cache lock. */
    void deliver(EventBatch batch) {
        for (Watching w : watches.values()) {
            EncodedEvents events = batch.eventsFor(w);
            if (!events.isEmpty() && !sender.send(WatchFrame.events(batch.header(), w.id(), events))) {
                return;
            }
        }
    }

    /** Tells every watch its events are gone, then drops it. Under the cache lock. */
    void compactAll(long compactRevision) {
        ResponseHeader h = cache.header();
        for (Watching w : List.copyOf(watches.values())) {
            send(compacted(h, w.id(), compactRevision));
            drop(w.id());
        }
    }

    /** Sends a progress response to every watch that asked for them. Under the cache lock. */
    void progress() {
        ResponseHeader h = cache.header();
        watches.values().stream().filter(Watching::progressNotify)
                .forEach(w -> send(WatchResponse.newBuilder().setHeader(h).setWatchId(w.id()).build()));
    }

    private boolean cancel(long id) {
        if (drop(id)) {
            send(WatchResponse.newBuilder().setHeader(cache.header()).setWatchId(id).setCanceled(true).build());
        }
        return true;
    }

    private boolean drop(long id) {
        if (watches.remove(id) == null) {
            return false;
        }
        metrics.watchers(who, -1);
        return true;
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
        return sender.send(WatchFrame.of(r));
    }

    private void closedByTransport() {
        synchronized (this) {
            closed = true;
        }
        release();
    }

    private static WatchResponse compacted(ResponseHeader h, long id, long compactRevision) {
        return WatchResponse.newBuilder().setHeader(h).setWatchId(id).setCompactRevision(compactRevision)
                .setCanceled(true).setCancelReason("etcdserver: mvcc: required revision has been compacted").build();
    }
}
