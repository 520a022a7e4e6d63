package dev.clustermesh.bench;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.IntCountsHistogram;

/**
 * One simulated agent: its own Watch stream that lists the prefix with Range, then watches it from the listed
 * revision + 1, and records the latency of every update delivered to it.
 *
 * <p>Callbacks and readers meet on the watcher's monitor, never contended in practice: gRPC runs one stream's
 * callbacks one at a time, and {@link #stats(int)} is read once a phase is over.
 */
final class AgentWatcher {
    private final int id;
    private final Channel channel;
    private final ByteString prefix;
    private final Phases phases;
    private final CompletableFuture<Long> synced = new CompletableFuture<>();
    private final Tally[] tallies = new Tally[Phases.MAX];
    private ClientCallStreamObserver<WatchRequest> requests;
    private long listed;
    private long lastRevision;
    private String failure = "";
    private boolean stopping;

    AgentWatcher(int id, Channel channel, ByteString prefix, Phases phases) {
        this.id = id;
        this.channel = channel;
        this.prefix = prefix;
        this.phases = phases;
        for (int i = 0; i < tallies.length; i++) {
            tallies[i] = new Tally();
        }
    }

    /** One phase's counts; latency in microseconds, 2 significant digits (1 %), up to 10 minutes. */
    private static final class Tally {
        final IntCountsHistogram latency = new IntCountsHistogram(600_000_000L, 2);
        long delivered;
        long outOfOrder;
        long lastReceive;
    }

    /** Lists, then watches; completes with the benchmark-clock time its watch was created. */
    CompletableFuture<Long> start() {
        ByteString end = rangeEnd(prefix);
        KVGrpc.newStub(channel).range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(end).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(RangeResponse r) {
                        synchronized (AgentWatcher.this) {
                            listed = r.getCount();
                            lastRevision = r.getHeader().getRevision();
                        }
                        watch(end, r.getHeader().getRevision() + 1);
                    }

                    @Override
                    public void onError(Throwable t) {
                        fail("range: " + t.getMessage());
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        return synced;
    }

    private void watch(ByteString end, long from) {
        WatchGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> out) {
                requests = out;
            }

            @Override
            public void onNext(WatchResponse r) {
                receive(r);
            }

            @Override
            public void onError(Throwable t) {
                fail("watch: " + t.getMessage());
            }

            @Override
            public void onCompleted() {
                fail("watch: server ended the stream");
            }
        });
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                .setKey(prefix).setRangeEnd(end).setStartRevision(from)).build());
    }

    private synchronized void receive(WatchResponse r) {
        long now = ServiceValues.now();
        if (r.getCreated()) {
            if (r.getCanceled()) {
                fail("watch refused: " + r.getCancelReason());
            } else {
                synced.complete(now);
            }
        } else if (r.getCanceled() || r.getCompactRevision() != 0) {
            fail("watch cancelled: " + r.getCancelReason() + " (compact " + r.getCompactRevision() + ")");
        }
        for (Event e : r.getEventsList()) {
            long sent = ServiceValues.sendTime(e.getKv().getValue());
            int phase = phases.of(sent);
            long rev = e.getKv().getModRevision();
            if (rev <= lastRevision) {
                if (phase >= 0) {
                    tallies[phase].outOfOrder++;
                }
                continue;
            }
            lastRevision = rev;
            if (e.getType() != Event.EventType.PUT || sent == 0 || phase < 0) {
                continue;
            }
            Tally t = tallies[phase];
            t.latency.recordValue(Math.max(0, (now - sent) / 1000));
            t.delivered++;
            t.lastReceive = now;
            phases.delivered(phase, 1);
        }
    }

    /** From now on errors are the benchmark closing the stream, not failures. */
    synchronized void stop() {
        stopping = true;
    }

    private synchronized void fail(String why) {
        if (failure.isEmpty() && !stopping) {
            failure = why;
        }
        synced.completeExceptionally(new IllegalStateException("watcher " + id + " " + why));
    }

    /** What this watcher saw of {@code phase} so far. */
    synchronized Stats stats(int phase) {
        Tally t = tallies[phase];
        return new Stats(listed, t.delivered, t.outOfOrder, t.lastReceive, t.latency.copy(), failure);
    }

    /**
     * One watcher's totals.
     *
     * @param listed keys in its initial list
     * @param delivered the phase's PUT events delivered, each counted once
     * @param outOfOrder events at or below a revision it already had (duplicates or reordering)
     * @param lastReceive benchmark-clock time of its last delivery, 0 when none
     * @param latency send-to-receive latency in microseconds
     * @param failure the first error it saw, empty when none
     */
    record Stats(long listed, long delivered, long outOfOrder, long lastReceive, IntCountsHistogram latency,
            String failure) {
    }

    static ByteString rangeEnd(ByteString prefix) {
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }
}
