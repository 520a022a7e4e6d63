package dev.clustermesh.proxy.etcdapi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A bound on the bytes of Range answers being sent at once; answers beyond it wait, first come first served.
 *
 * <p>Why: the transport copies each answer into its own buffers and keeps them until the client's HTTP/2 window
 * lets them out. A 10,000-service list is ~3 MB, so 1,000 agents listing together (a proxy restart, a new
 * cluster joining) would hold ~3 GB at once and run a proxy of a few hundred MiB of heap out of memory, failing
 * every list. Answers wait instead, before they are encoded, so a waiting answer holds no memory; each holds
 * its bytes from the moment it is encoded until the transport has taken it (the call is ready again) or the call
 * ends. An answer larger than the whole bound goes alone; a small one ({@link #SMALL} bytes at most: a key, a
 * count) never waits behind large ones.
 */
final class RangeBudget {
    /** Answers up to this size go at once, whatever waits: they cannot hurt the heap. */
    static final long SMALL = 64 * 1024;

    private final long limit;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private long used;
    private long peak;
    private long waits;

    private record Waiter(long bytes, Runnable go) {
    }

    /** At most {@code limit} bytes of answers in flight. */
    RangeBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("range budget must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /** A quarter of the maximum heap, at least 16 MiB. */
    static RangeBudget ofHeap() {
        return new RangeBudget(Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4));
    }

    /**
     * Runs {@code go} once {@code bytes} fit, at once when they fit now and nobody waits; {@code go} must end
     * with one {@link #release} of the same bytes. {@code go} runs on this thread or on the releasing one.
     */
    void acquire(long bytes, Runnable go) {
        synchronized (this) {
            if (bytes > SMALL && (!waiting.isEmpty() || !fits(bytes))) {
                waiting.add(new Waiter(bytes, go));
                waits++;
                return;
            }
            take(bytes);
        }
        go.run();
    }

    /**
     * Corrects a holding once its real size is known ({@code delta} may be negative); may pass the bound for a
     * while, and then nothing more starts until enough is released.
     */
    void adjust(long delta) {
        if (delta < 0) {
            release(-delta);
        } else {
            synchronized (this) {
                take(delta);
            }
        }
    }

    /** Gives back {@code bytes} and starts the waiters that now fit, in order. */
    void release(long bytes) {
        List<Runnable> start = new ArrayList<>();
        synchronized (this) {
            if (bytes > used) {
                throw new IllegalStateException("range budget: releasing " + bytes + " bytes, only " + used + " held");
            }
            used -= bytes;
            while (!waiting.isEmpty() && fits(waiting.peek().bytes())) {
                Waiter w = waiting.poll();
                take(w.bytes());
                start.add(w.go());
            }
        }
        start.forEach(Runnable::run);
    }

    /** Bytes in flight now. */
    synchronized long used() {
        return used;
    }

    /** The most bytes ever in flight at once. */
    synchronized long peak() {
        return peak;
    }

    /** Answers that had to wait. */
    synchronized long waits() {
        return waits;
    }

    /** The bound. */
    long limit() {
        return limit;
    }

    private boolean fits(long bytes) {
        return used == 0 || used + bytes <= limit;
    }

    private void take(long bytes) {
        used += bytes;
        peak = Math.max(peak, used);
    }
}
