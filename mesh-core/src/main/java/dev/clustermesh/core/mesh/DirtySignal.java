package dev.clustermesh.core.mesh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The dirty flag one worker thread waits on while watchers mark changes: {@link #mark()} is cheap and never
 * blocks for long; {@link #await()} coalesces every mark since the last wake-up into one. Starts dirty, so the
 * worker runs once at start. Used by the agent's reconciler and mesh-dns's zone builder.
 */
public final class DirtySignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private boolean dirty = true;
    private boolean closed;

    /** Records that there is work and wakes the worker. */
    public void mark() {
        lock.lock();
        try {
            dirty = true;
            signal.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until there is work, then clears the flag.
     *
     * @return false once {@link #close()}d (or interrupted): the worker should stop
     */
    public boolean await() {
        lock.lock();
        try {
            while (!dirty && !closed) {
                signal.await();
            }
            dirty = false;
            return !closed;
        } catch (InterruptedException e) {
            closed = true;
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sleeps for {@code millis} (a backoff or a rate limit); marks do not cut it short, closing does.
     *
     * @return true when closed: the worker should stop
     */
    public boolean pause(long millis) {
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (left > 0 && !closed) {
                left = signal.awaitNanos(left);
            }
            return closed;
        } catch (InterruptedException e) {
            closed = true;
            Thread.currentThread().interrupt();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the worker: {@link #await()} returns false and {@link #pause} returns at once. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            signal.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
