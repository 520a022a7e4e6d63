package dev.clustermesh.proxy.etcdapi;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide budget of bytes queued for all watch streams together. A stream that would go past it
 * stops queueing and catches up from the history instead, so many watchers behind at once cannot exhaust the
 * heap. Bytes are counted per stream, so a frame shared by several streams counts once for each: an upper
 * bound of what the queues hold.
 */
final class QueueBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /** A budget of {@code limit} bytes. */
    QueueBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} when they fit; returns whether they did. */
    boolean tryTake(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Takes {@code bytes} whether or not they fit (one catch-up step, a control response). */
    void take(long bytes) {
        used.addAndGet(bytes);
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes queued now, over every stream. */
    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }
}
