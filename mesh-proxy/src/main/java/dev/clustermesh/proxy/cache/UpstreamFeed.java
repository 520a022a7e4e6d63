package dev.clustermesh.proxy.cache;

import com.google.protobuf.UnsafeByteOperations;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.worker.Backoff;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Keeps a {@link KvCache} equal to the upstream etcd's {@code mesh/v1/} keys with one list and one watch.
 *
 * <p>List, then watch from the listed revision + 1 with previous values. jetcd resumes a broken watch at the
 * last revision + 1 by itself, so an etcd restart costs no events; a compacted revision or a watch jetcd gives
 * up on leads to a fresh list (the cache then tells its watchers). Retries back off exponentially with jitter.
 *
 * <p>An etcd that came back without its data (a lost disk) counts revisions and raft terms from the start again,
 * and one restored elsewhere has another cluster ID (a wiped one started with the same flags keeps its ID): jetcd's
 * resumed watch then waits, silently, for a revision the new etcd may reach only much later. Every watch response
 * and a probe every {@link #PROBE_INTERVAL} (one linearizable read of a key that does not exist: a header) compare
 * the upstream's cluster ID and raft term, and the probe its revision, with what the feed last saw (terms and a
 * linearizable revision never go back in one etcd); an upstream that went back is listed again, and the cache's
 * reset tells every downstream watch to start over. The same probe finds a watch that stays silent while etcd
 * moves on ({@link SilenceCheck}): it is replaced, and listed again if its successor is silent too.
 */
public final class UpstreamFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpstreamFeed.class);
    private static final ByteSequence ROOT = ByteSequence.from(KeyLayout.ROOT, StandardCharsets.UTF_8);
    private static final ByteSequence PROBE = ByteSequence.from(KeyLayout.ROOT + "\u0000probe", StandardCharsets.UTF_8);
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

    private final Client client;
    private final KvCache cache;
    private final Duration requestTimeout;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-proxy-upstream");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Watch.Watcher> watcher = new AtomicReference<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile String lastError = "";
    private volatile Instant lastErrorAt;
    private volatile long relists;
    /** The cluster ID of the upstream as last listed, and the highest raft term seen since; 0 before a list. */
    private volatile long clusterId;
    private volatile long raftTerm;
    private volatile boolean closed;
    private final SilenceCheck silence = new SilenceCheck();
    private volatile long silentWatches;
    /** Delays between list attempts: 200 ms doubling to 30 s, each shortened by up to half at random. */
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2, 0.5);

    /** A feed for {@code cache} from {@code client}; nothing happens until {@link #start()}. */
    public UpstreamFeed(Client client, KvCache cache, Duration requestTimeout) {
        this.client = client;
        this.cache = cache;
        this.requestTimeout = requestTimeout;
    }

    /** Starts listing in the background. */
    public void start() {
        scheduler.execute(this::list);
        scheduler.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Reads a header from the upstream and lists again when it went back (see the class comment). */
    private void probe() {
        if (closed || clusterId == 0) {
            return;
        }
        try {
            // Read before the probe: whatever the cache holds then is at or below the probe's linearizable revision.
            long held = cache.revision();
            GetResponse r = client.getKVClient().get(PROBE).get(Math.min(requestTimeout.toMillis(),
                    PROBE_INTERVAL.toMillis()), TimeUnit.MILLISECONDS);
            if (!wentBack(r.getHeader().getClusterId(), r.getHeader().getRaftTerm(), r.getHeader().getRevision(),
                    held)) {
                silent(held, r.getHeader().getRevision());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Unreachable: the watch reports that, and jetcd resumes it when etcd is back.
        }
    }

    /** Acts on {@link SilenceCheck}'s verdict: a silent watch is replaced, then listed again. */
    private void silent(long held, long upstreamRevision) {
        SilenceCheck.Verdict v = silence.probed(held, upstreamRevision);
        if (v == SilenceCheck.Verdict.FINE) {
            return;
        }
        silentWatches++;
        boolean relist = v == SilenceCheck.Verdict.LIST_AGAIN;
        failed("watch", new IllegalStateException("silent: the cache is at revision " + held + ", below what etcd had "
                + PROBE_INTERVAL.toSeconds() + " s ago; " + (relist ? "listing" : "watching") + " again"));
        if (relist) {
            generation.incrementAndGet();
            relists++;
            list();
        } else {
            // After the last event the cache applied (not its revision: a header may run ahead of events still
            // to come); what the old watch delivered meanwhile and the new one repeats is not applied twice.
            generation.incrementAndGet();
            watchFrom(cache.eventRevision() + 1);
        }
    }

    /** Upstream watches found silent and replaced (or listed again) since the start. */
    public long silentWatches() {
        return silentWatches;
    }

    /** True (and a new list under way) when the upstream is another etcd, or one whose revisions went back. */
    /**
     * @param held the cache's revision before a linearizable read that answered {@code upstreamRevision}; 0 for
     *        a watch response (a lagging member may answer a watch with an older revision)
     */
    private boolean wentBack(long upstreamClusterId, long upstreamTerm, long upstreamRevision, long held) {
        long listed = clusterId;
        long term = raftTerm;
        // A zero in a header means "not said" (a response jetcd made up itself): nothing to compare.
        if (listed == 0 || upstreamClusterId == 0 || (upstreamClusterId == listed
                && (upstreamTerm == 0 || upstreamTerm >= term) && (upstreamRevision == 0 || upstreamRevision >= held))) {
            if (listed != 0 && upstreamTerm > term) {
                raftTerm = upstreamTerm;
            }
            return false;
        }
        failed("upstream check", new IllegalStateException("etcd went back (cluster ID " + Long.toHexString(listed)
                + " -> " + Long.toHexString(upstreamClusterId) + ", raft term " + term + " -> " + upstreamTerm
                + ", revision " + held + " -> " + upstreamRevision + "): its data was lost or restored; listing again"));
        clusterId = 0;
        generation.incrementAndGet();
        relists++;
        scheduler.execute(this::list);
        return true;
    }

    /** The last upstream failure, empty when none happened. */
    public String lastError() {
        return lastError;
    }

    /** When the last failure happened, or null. */
    public Instant lastErrorAt() {
        return lastErrorAt;
    }

    /** How many times the feed had to list again after the first list. */
    public long relists() {
        return relists;
    }

    private void list() {
        if (closed) {
            return;
        }
        try {
            GetResponse r = client.getKVClient().get(ROOT, GetOption.builder().isPrefix(true).build())
                    .get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            List<KeyValue> kvs = new ArrayList<>(r.getKvs().size());
            r.getKvs().forEach(kv -> kvs.add(toApi(kv)));
            ResponseHeader header = ResponseHeader.newBuilder().setClusterId(r.getHeader().getClusterId())
                    .setMemberId(r.getHeader().getMemberId()).setRaftTerm(r.getHeader().getRaftTerm())
                    .setRevision(r.getHeader().getRevision()).build();
            cache.reset(header, kvs);
            raftTerm = r.getHeader().getRaftTerm();
            clusterId = r.getHeader().getClusterId();
            synchronized (backoff) {
                backoff.reset();
            }
            watchFrom(header.getRevision() + 1);
            LOG.infof("upstream listed %d keys at revision %d", kvs.size(), header.getRevision());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed("list", e);
            retryList();
        }
    }

    private void watchFrom(long revision) {
        long gen = generation.incrementAndGet();
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision).withPrevKV(true)
                .withProgressNotify(true).build();
        // Callbacks of a superseded watch (closed by a later list) must not touch the cache.
        Watch.Watcher w = client.getWatchClient().watch(ROOT, option, Watch.listener(
                r -> {
                    if (gen == generation.get()) {
                        onResponse(r);
                    }
                },
                t -> {
                    if (gen == generation.get()) {
                        onWatchError(t);
                    }
                },
                () -> {
                    if (gen == generation.get()) {
                        onWatchEnded();
                    }
                }));
        Watch.Watcher old = watcher.getAndSet(w);
        if (old != null) {
            old.close();
        }
    }

    /**
     * Asks the upstream watch for a progress notification, so the cache's revision catches up with etcd's even
     * when nothing under {@code mesh/v1/} changed. Does nothing before the first watch.
     */
    public void requestProgress() {
        if (!closed && watcher.get() != null) {
            try {
                client.getWatchClient().requestProgress();
            } catch (RuntimeException e) {
                failed("progress request", e);
            }
        }
    }

    /**
     * Applies one upstream response. If that fails (even with an Error such as OutOfMemoryError) the cache may
     * miss events: list again, which tells every downstream watch its revision is compacted, never silence.
     */
    private void onResponse(WatchResponse r) {
        try {
            apply(r);
        } catch (Throwable t) {
            failed("applying a watch response", t);
            generation.incrementAndGet();
            relists++;
            retryList();
        }
    }

    private void apply(WatchResponse r) {
        if (wentBack(r.getHeader().getClusterId(), r.getHeader().getRaftTerm(), r.getHeader().getRevision(), 0)) {
            return;
        }
        List<Event> events = new ArrayList<>(r.getEvents().size());
        for (WatchEvent e : r.getEvents()) {
            if (e.getEventType() == WatchEvent.EventType.UNRECOGNIZED) {
                continue;
            }
            Event.Builder b = Event.newBuilder().setKv(toApi(e.getKeyValue()))
                    .setType(e.getEventType() == WatchEvent.EventType.PUT ? Event.EventType.PUT : Event.EventType.DELETE);
            if (e.getPrevKV() != null && !e.getPrevKV().getKey().isEmpty()) {
                b.setPrevKv(toApi(e.getPrevKV()));
            }
            events.add(b.build());
        }
        cache.apply(events, r.getHeader().getRevision());
    }

    /** jetcd reports every error; it resumes at the last revision + 1 by itself unless the error halts it. */
    private void onWatchError(Throwable t) {
        if (t instanceof CompactedException) {
            LOG.warnf("upstream watch hit a compacted revision; listing again");
        } else {
            failed("watch", t);
        }
    }

    /** jetcd gave up on the watch (compaction, a halting error): list again. */
    private void onWatchEnded() {
        if (closed) {
            return;
        }
        relists++;
        retryList();
    }

    private void retryList() {
        if (closed) {
            return;
        }
        long delay;
        synchronized (backoff) {
            delay = backoff.next().toMillis();
        }
        scheduler.schedule(this::list, delay, TimeUnit.MILLISECONDS);
    }

    private void failed(String what, Throwable t) {
        lastError = what + ": " + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
        lastErrorAt = Instant.now();
        LOG.warnf("upstream %s failed: %s", what, lastError);
    }

    static KeyValue toApi(io.etcd.jetcd.KeyValue kv) {
        // getBytes() already copies: wrap that copy instead of copying it again.
        return KeyValue.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(kv.getKey().getBytes()))
                .setValue(UnsafeByteOperations.unsafeWrap(kv.getValue().getBytes()))
                .setCreateRevision(kv.getCreateRevision()).setModRevision(kv.getModRevision())
                .setVersion(kv.getVersion()).setLease(kv.getLease()).build();
    }

    @Override
    public void close() {
        closed = true;
        Watch.Watcher w = watcher.getAndSet(null);
        if (w != null) {
            w.close();
        }
        scheduler.shutdownNow();
    }
}
