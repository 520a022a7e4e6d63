package dev.clustermesh.bench;

import com.google.protobuf.ByteString;
import dev.clustermesh.core.worker.Backoff;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One simulated agent that reconnects the way mesh-agent's remote-cluster watcher does: on any error it drops
 * its connection, waits a jittered exponential backoff (200 ms doubling, up to half of it random), dials a new
 * connection, lists the prefix and watches it from the listed revision + 1. A session counts as re-synced when
 * its watch is created.
 *
 * <p>Callbacks and readers meet on the watcher's monitor, never contended in practice.
 */
final class StormWatcher {
    /** How long a list, and then the watch's creation, may take before the attempt counts as failed. */
    private static final long LIST_DEADLINE_SECONDS = 120;
    private final Supplier<ManagedChannel> dial;
    private final ByteString prefix;
    private final ScheduledExecutorService timer;
    private final Backoff backoff;
    private ManagedChannel channel;
    private long generation;
    private boolean stopping;
    private long listed;
    private long syncedAtNanos;
    private long brokenAtNanos;
    private long lastOutageNanos = -1;
    private int attempts;
    private String lastError = "";
    /** Failures by kind: the status code or the first words of the message. */
    private final Map<String, Integer> failures = new TreeMap<>();

    StormWatcher(Supplier<ManagedChannel> dial, ByteString prefix, ScheduledExecutorService timer, Backoff backoff) {
        this.dial = dial;
        this.prefix = prefix;
        this.timer = timer;
        this.backoff = backoff;
    }

    /** Connects, lists and watches; on failure retries with backoff until {@link #stop()}. */
    synchronized void start() {
        connect();
    }

    private synchronized void connect() {
        if (stopping) {
            return;
        }
        long gen = ++generation;
        attempts++;
        channel = dial.get();
        ByteString end = AgentWatcher.rangeEnd(prefix);
        // As the agent's request timeout bounds its list; a watch not created in time fails the attempt too.
        KVGrpc.newStub(channel).withDeadlineAfter(LIST_DEADLINE_SECONDS, TimeUnit.SECONDS).range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(RangeResponse r) {
                        listedThenWatch(gen, r, end);
                    }

                    @Override
                    public void onError(Throwable t) {
                        failed(gen, "range: " + t.getMessage());
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    private synchronized void listedThenWatch(long gen, RangeResponse r, ByteString end) {
        if (gen != generation || stopping) {
            return;
        }
        listed = r.getCount();
        ManagedChannel c = channel;
        timer.schedule(() -> notCreated(gen), LIST_DEADLINE_SECONDS, TimeUnit.SECONDS);
        WatchGrpc.newStub(c).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            private ClientCallStreamObserver<WatchRequest> out;

            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> requests) {
                out = requests;
            }

            @Override
            public void onNext(WatchResponse w) {
                if (w.getCreated() && !w.getCanceled()) {
                    watching(gen);
                } else if (w.getCanceled()) {
                    failed(gen, "watch cancelled: " + w.getCancelReason());
                }
            }

            @Override
            public void onError(Throwable t) {
                failed(gen, "watch: " + t.getMessage());
            }

            @Override
            public void onCompleted() {
                failed(gen, "watch: server ended the stream");
            }
        }).onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(prefix)
                .setRangeEnd(end).setStartRevision(r.getHeader().getRevision() + 1)).build());
    }

    private synchronized void notCreated(long gen) {
        if (gen == generation && syncedAtNanos == 0) {
            failed(gen, "watch: not created within " + LIST_DEADLINE_SECONDS + " s");
        }
    }

    private synchronized void watching(long gen) {
        if (gen != generation) {
            return;
        }
        syncedAtNanos = System.nanoTime();
        if (brokenAtNanos != 0) {
            lastOutageNanos = syncedAtNanos - brokenAtNanos;
            brokenAtNanos = 0;
        }
        backoff.reset();
    }

    private synchronized void failed(long gen, String why) {
        if (gen != generation || stopping) {
            return;
        }
        generation++; // later callbacks of this session are stale
        lastError = why;
        failures.merge(kind(why), 1, Integer::sum);
        if (brokenAtNanos == 0) {
            brokenAtNanos = System.nanoTime();
        }
        syncedAtNanos = 0;
        channel.shutdownNow();
        timer.schedule(this::connect, backoff.next().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** "range: UNAVAILABLE: io exception" -> "range UNAVAILABLE". */
    static String kind(String why) {
        String[] words = why.split("[:\\s]+");
        return words.length < 2 ? why : words[0] + " " + words[1];
    }

    /** Stops reconnecting and closes the connection. */
    synchronized void stop() {
        stopping = true;
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    /** This watcher's state now. */
    synchronized State state() {
        return new State(syncedAtNanos != 0, listed, attempts, lastOutageNanos, lastError, Map.copyOf(failures));
    }

    /**
     * @param watching its watch is created (a session is in sync)
     * @param listed keys in its latest list
     * @param attempts sessions dialled so far (1 without any failure)
     * @param lastOutageNanos from its latest session's first failure to the next session's watch, -1 when none
     * @param lastError the latest failure, empty when none
     * @param failures failures by kind
     */
    record State(boolean watching, long listed, int attempts, long lastOutageNanos, String lastError,
            Map<String, Integer> failures) {
    }
}
