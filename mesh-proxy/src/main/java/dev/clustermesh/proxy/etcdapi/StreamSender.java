package dev.clustermesh.proxy.etcdapi;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * Sends one stream's responses on that stream's own Vert.x context, in order.
 *
 * <p>Why: the fan-out thread holds the cache lock while it delivers an event to every watcher. Writing to a
 * gRPC stream from that thread hands each message to the stream's event loop one by one; with a thousand
 * watchers that is a thousand cross-thread hand-offs per event. Queuing here and draining in one task on the
 * event loop keeps the fan-out thread to a cheap enqueue and lets the event loop write a batch at a time.
 * A watcher that falls {@link #MAX_QUEUED} responses behind is cut off with RESOURCE_EXHAUSTED rather than
 * growing the proxy's memory without bound.
 */
final class StreamSender {
    /** Responses a stream may have waiting before it is closed as too slow. */
    static final int MAX_QUEUED = 100_000;

    /** What to do when the client is gone or too slow. */
    interface OnClosed {
        void closed();
    }

    private final StreamObserver<io.etcd.jetcd.api.WatchResponse> out;
    private final Context context;
    private final ApiMetrics metrics;
    private final OnClosed onClosed;
    private final ArrayDeque<io.etcd.jetcd.api.WatchResponse> queue = new ArrayDeque<>();
    private boolean scheduled;
    private boolean closed;

    /** A sender for {@code out}, draining on the caller's Vert.x context (or inline outside one). */
    StreamSender(StreamObserver<io.etcd.jetcd.api.WatchResponse> out, ApiMetrics metrics, OnClosed onClosed) {
        this.out = out;
        this.context = Vertx.currentContext();
        this.metrics = metrics;
        this.onClosed = onClosed;
    }

    /** Queues {@code r}; returns false when the stream is closed (or has just been closed as too slow). */
    boolean send(io.etcd.jetcd.api.WatchResponse r) {
        boolean overflow;
        boolean schedule = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            overflow = queue.size() >= MAX_QUEUED;
            if (overflow) {
                closed = true;
                queue.clear();
            } else {
                queue.add(r);
                schedule = !scheduled;
                scheduled = true;
            }
        }
        if (overflow || schedule) {
            Runnable task = overflow ? this::fail : this::drain;
            if (context == null) {
                task.run();
            } else {
                context.runOnContext(v -> task.run());
            }
        }
        return !overflow;
    }

    private void drain() {
        while (true) {
            io.etcd.jetcd.api.WatchResponse next;
            synchronized (this) {
                next = queue.poll();
                if (next == null || closed) {
                    scheduled = false;
                    return;
                }
            }
            try {
                out.onNext(next);
                metrics.eventsSent(next.getEventsCount());
            } catch (RuntimeException e) {
                // The call is already cancelled or closed: the client went away.
                synchronized (this) {
                    closed = true;
                    queue.clear();
                }
                onClosed.closed();
                return;
            }
        }
    }

    private void fail() {
        try {
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("watcher is more than " + MAX_QUEUED
                    + " responses behind; re-list and watch again").asRuntimeException());
        } catch (RuntimeException e) {
            // Already gone.
        }
        onClosed.closed();
    }

    /** Drops whatever is queued; later sends are refused. */
    synchronized void close() {
        closed = true;
        queue.clear();
    }
}
