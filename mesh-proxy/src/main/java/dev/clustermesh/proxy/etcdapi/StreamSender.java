package dev.clustermesh.proxy.etcdapi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Sends one stream's responses on that stream's own Vert.x context, in order, as fast as the client reads.
 *
 * <p>Why: the fan-out thread holds the cache lock while it delivers an event to every watcher, so it only
 * enqueues here; one task on the stream's event loop drains the queue. The drain writes only while the call
 * {@linkplain ServerCallStreamObserver#isReady() is ready} (HTTP/2 flow control and Netty's buffer have room)
 * and resumes from the call's on-ready handler, so a slow reader's backlog stays in this queue instead of in
 * Netty. Queued event responses of one watch merge (etcd, too, sends many events per response). The queue is
 * bounded per stream and by the process-wide {@link QueueBudget}: an event frame that does not fit is refused
 * ({@link #offer}) and the stream's owner catches up from the history instead; when the queue is empty and the
 * call ready, the drain asks the owner for more ({@link Refill}). Any failure while writing, an Error
 * included, ends the call with an error the client acts on: never a stream that silently stops.
 */
final class StreamSender {
    private static final Logger LOG = Logger.getLogger(StreamSender.class);

    /** What to do when the client is gone or the stream failed. */
    interface OnClosed {
        void closed();
    }

    /** Asked for more frames when the queue is empty and the call ready. */
    interface Refill {
        /** Queues more frames if there are any; returns false when there is nothing more to send. */
        boolean refill();
    }

    private final StreamObserver<WatchFrame> out;
    private final ServerCallStreamObserver<WatchFrame> call;
    private final Context context;
    private final ApiMetrics metrics;
    private final OnClosed onClosed;
    private final long maxQueuedBytes;
    private final QueueBudget budget;
    private Refill refill = () -> false;
    private final ArrayDeque<WatchFrame> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** A drain task is pending, running, or waiting for the call to become ready. */
    private boolean scheduled;
    /** The call said it is not ready: only its on-ready handler drains again. */
    private boolean waiting;
    /**
     * Someone kicked while a drain was scheduled: the drain must ask its owner again before it stops, or work
     * the owner added meanwhile (a stream falling behind, from the fan-out thread) would wait for nobody.
     */
    private boolean rekicked;
    private boolean closed;

    /**
     * A sender for {@code out}, draining on the caller's Vert.x context (or inline outside one). Must be made
     * while the call starts: it installs the call's on-ready handler.
     */
    StreamSender(StreamObserver<WatchFrame> out, long maxQueuedBytes, QueueBudget budget, ApiMetrics metrics,
            OnClosed onClosed) {
        this.out = out;
        this.call = out instanceof ServerCallStreamObserver<WatchFrame> c ? c : null;
        this.context = Vertx.currentContext();
        this.maxQueuedBytes = maxQueuedBytes;
        this.budget = budget;
        this.metrics = metrics;
        this.onClosed = onClosed;
        if (call != null) {
            call.setOnReadyHandler(this::onReady);
        }
    }

    /** Sets who refills the queue when it runs empty; before the first send. */
    void refillFrom(Refill r) {
        this.refill = r;
    }

    /**
     * Queues an event frame when it fits the stream's bound and the global budget (a frame into an empty queue
     * always fits the stream's bound), merged into the last queued frame when possible.
     *
     * @return false when it does not fit or the stream is closed: the caller must catch up from the history
     */
    boolean offer(WatchFrame frame) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            WatchFrame last = queue.peekLast();
            int before = last == null ? 0 : last.size();
            if (last != null && queuedBytes + frame.size() > maxQueuedBytes) {
                return false;
            }
            if (!budget.tryTake(frame.size())) {
                return false;
            }
            if (last != null && last.merge(frame)) {
                long grown = last.size() - before;
                budget.release(frame.size() - grown);
                queuedBytes += grown;
                return true;
            }
            append(frame);
        }
        kick();
        return true;
    }

    /** Queues {@code frame} whatever the bounds (a control response, one catch-up step). */
    void send(WatchFrame frame) {
        synchronized (this) {
            if (closed) {
                return;
            }
            budget.take(frame.size());
            append(frame);
        }
        kick();
    }

    private void append(WatchFrame frame) {
        queue.add(frame);
        queuedBytes += frame.size();
    }

    /**
     * Removes every queued event frame and progress notification (which must not overtake the events it
     * vouches for); keeps created and canceled responses. Returns the removed event frames, oldest first.
     */
    synchronized List<WatchFrame> dropEvents() {
        List<WatchFrame> dropped = new ArrayList<>();
        for (Iterator<WatchFrame> it = queue.iterator(); it.hasNext();) {
            WatchFrame f = it.next();
            if (f.carriesEvents() || f.progress()) {
                it.remove();
                queuedBytes -= f.size();
                budget.release(f.size());
                if (f.carriesEvents()) {
                    dropped.add(f);
                }
            }
        }
        return dropped;
    }

    /** Makes sure a drain runs (after the owner has more to send without queueing it). */
    void kick() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (scheduled) {
                rekicked = true;
                return;
            }
            scheduled = true;
        }
        run(this::drain);
    }

    /** True while the call is not ready and the drain waits for its on-ready handler. */
    synchronized boolean waitingForClient() {
        return waiting && !closed;
    }

    /** Bytes queued. */
    synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** True when nothing is scheduled to drain while something waits: a missed wake-up (see the hub's sweep). */
    synchronized boolean idle() {
        return !closed && !scheduled;
    }

    private void run(Runnable task) {
        if (context == null) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    /**
     * The call became ready. The drain runs as a task of its own, never inside this call: on-ready is called
     * from within HTTP/2 flow control's byte distribution (a stream's writability change), and writing from
     * there re-enters the flow controller of the whole connection, which can leave every other stream of that
     * connection with bytes pending that are never written (Vert.x 4's {@code writeData} flushes pending bytes
     * itself; fixed upstream only in later Vert.x versions).
     */
    private void onReady() {
        synchronized (this) {
            if (closed || !waiting) {
                return;
            }
            waiting = false;
        }
        run(this::drain);
    }

    /** Whether a response may be written now (HTTP/2 flow control and Netty's buffer have room). */
    private boolean writable() {
        return call == null || call.isReady();
    }

    private void drain() {
        try {
            drainLoop();
        } catch (Throwable t) {
            abort(t);
        }
    }

    private void drainLoop() {
        while (true) {
            boolean ready = writable();
            WatchFrame next;
            synchronized (this) {
                if (closed) {
                    scheduled = false;
                    return;
                }
                if (!ready) {
                    // Stays scheduled: the on-ready handler drains again.
                    waiting = true;
                    return;
                }
                next = queue.poll();
                if (next != null) {
                    queuedBytes -= next.size();
                    budget.release(next.size());
                }
            }
            if (next == null) {
                synchronized (this) {
                    rekicked = false;
                }
                if (!refill.refill()) {
                    synchronized (this) {
                        if (queue.isEmpty() && !rekicked) {
                            scheduled = false;
                            return;
                        }
                    }
                }
                continue;
            }
            if (!write(next)) {
                return;
            }
        }
    }

    private boolean write(WatchFrame next) {
        try {
            out.onNext(next);
        } catch (IllegalStateException | StatusRuntimeException e) {
            // The call is already cancelled or closed: the client went away.
            closeQueue();
            onClosed.closed();
            return false;
        }
        metrics.eventsSent(next.eventCount());
        return true;
    }

    /**
     * Ends the stream after a failure of this process (an Error such as OutOfMemoryError included): the client
     * gets UNAVAILABLE, which clients retry by watching again from their last revision.
     */
    void abort(Throwable cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        closeQueue();
        metrics.watchStreamFailed();
        LOG.errorf(cause, "a watch stream failed; ending it so that its client watches again");
        run(() -> {
            try {
                out.onError(Status.UNAVAILABLE.withDescription("mesh-proxy could not send this watch's events; "
                        + "watch again from the last revision received").asRuntimeException());
            } catch (Throwable ignored) {
                // Already gone.
            }
        });
        onClosed.closed();
    }

    /** Ends the call with {@code status} (a refusal, not a failure): drops what is queued, then tells the client. */
    void end(StatusRuntimeException status) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        closeQueue();
        run(() -> {
            try {
                out.onError(status);
            } catch (Throwable ignored) {
                // Already gone.
            }
        });
        onClosed.closed();
    }

    private void closeQueue() {
        synchronized (this) {
            closed = true;
            for (WatchFrame f : queue) {
                budget.release(f.size());
            }
            queue.clear();
            queuedBytes = 0;
            scheduled = false;
        }
    }

    /** Drops whatever is queued; later sends are refused. */
    void close() {
        closeQueue();
    }
}
