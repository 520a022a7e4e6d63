package dev.clustermesh.proxy.etcdapi;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * Sends one stream's responses on that stream's own Vert.x context, in order, as fast as the client reads.
 *
 * <p>Why: the fan-out thread holds the cache lock while it delivers an event to every watcher, so it only
 * enqueues here; one task on the stream's event loop drains the queue. The drain writes only while the call
 * {@linkplain ServerCallStreamObserver#isReady() is ready} (HTTP/2 flow control and Netty's buffer have room)
 * and resumes from the call's on-ready handler, so a slow reader's backlog stays in this queue, bounded by
 * bytes, instead of in Netty. While a watch is behind, its queued event responses merge into one response
 * (etcd, too, sends many events per response): fewer frames, fewer flushes and TLS records for the same
 * events. A stream more than {@code maxQueuedBytes} behind is cut off with RESOURCE_EXHAUSTED; its client
 * re-lists and watches again.
 */
final class StreamSender {
    /** What to do when the client is gone or too slow. */
    interface OnClosed {
        void closed();
    }

    private final StreamObserver<WatchFrame> out;
    private final ServerCallStreamObserver<WatchFrame> call;
    private final Context context;
    private final ApiMetrics metrics;
    private final OnClosed onClosed;
    private final long maxQueuedBytes;
    private final ArrayDeque<WatchFrame> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** A drain task is pending, running, or waiting for the call to become ready. */
    private boolean scheduled;
    /** The queue is not empty and the call said it is not ready: only its on-ready handler drains again. */
    private boolean waiting;
    private boolean closed;

    /**
     * A sender for {@code out}, draining on the caller's Vert.x context (or inline outside one). Must be made
     * while the call starts: it installs the call's on-ready handler.
     */
    StreamSender(StreamObserver<WatchFrame> out, long maxQueuedBytes, ApiMetrics metrics, OnClosed onClosed) {
        this.out = out;
        this.call = out instanceof ServerCallStreamObserver<WatchFrame> c ? c : null;
        this.context = Vertx.currentContext();
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = metrics;
        this.onClosed = onClosed;
        if (call != null) {
            call.setOnReadyHandler(this::onReady);
        }
    }

    /**
     * Queues {@code frame}, merged into the last queued frame when that one is of the same watch and not sent
     * yet. Returns false when the stream is closed, or has just been closed because it was too far behind.
     */
    boolean send(WatchFrame frame) {
        boolean overflow = false;
        boolean schedule = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            WatchFrame last = queue.peekLast();
            int before = last == null ? 0 : last.size();
            if (last != null && last.merge(frame)) {
                queuedBytes += last.size() - before;
            } else {
                queue.add(frame);
                queuedBytes += frame.size();
                schedule = !scheduled;
                scheduled = true;
            }
            // One response of any size may wait (a long replay); more than the bound behind it may not.
            if (last != null && queuedBytes > maxQueuedBytes) {
                overflow = true;
                schedule = false;
                closed = true;
                queue.clear();
                queuedBytes = 0;
            }
        }
        if (overflow) {
            metrics.slowWatcherClosed();
            run(this::fail);
        } else if (schedule) {
            run(this::drain);
        }
        return !overflow;
    }

    private void run(Runnable task) {
        if (context == null) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    private void onReady() {
        synchronized (this) {
            if (closed || !waiting) {
                return;
            }
            waiting = false;
        }
        drain();
    }

    private void drain() {
        while (true) {
            WatchFrame next;
            boolean ready = call == null || call.isReady();
            synchronized (this) {
                if (closed || queue.isEmpty()) {
                    scheduled = false;
                    return;
                }
                if (!ready) {
                    // Stays scheduled: the on-ready handler drains again.
                    waiting = true;
                    return;
                }
                next = queue.poll();
                queuedBytes -= next.size();
            }
            if (!write(next)) {
                return;
            }
        }
    }

    private boolean write(WatchFrame next) {
        try {
            out.onNext(next);
            metrics.eventsSent(next.eventCount());
            return true;
        } catch (RuntimeException e) {
            // The call is already cancelled or closed: the client went away.
            synchronized (this) {
                closed = true;
                queue.clear();
                queuedBytes = 0;
            }
            onClosed.closed();
            return false;
        }
    }

    private void fail() {
        try {
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("watcher is more than " + maxQueuedBytes
                    + " bytes behind; re-list and watch again").asRuntimeException());
        } catch (RuntimeException e) {
            // Already gone.
        }
        onClosed.closed();
    }

    /** Drops whatever is queued; later sends are refused. */
    synchronized void close() {
        closed = true;
        queue.clear();
        queuedBytes = 0;
    }
}
