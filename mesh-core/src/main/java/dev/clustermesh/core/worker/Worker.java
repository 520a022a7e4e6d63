package dev.clustermesh.core.worker;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One background thread that runs a {@link Task} when woken, in the spirit of kube-proxy's
 * {@code BoundedFrequencyRunner}: watchers call {@link #wake()} (cheap, never blocks for long); every wake-up
 * since the last run is coalesced into one run; runs start at least {@code minInterval} apart, and at least
 * every {@code maxInterval} when one is set (a poll). A run that throws is retried after the {@link Backoff}'s
 * next delay, and the retry, like the first run, is told to do a full sync; a run that succeeds resets the
 * backoff. Wake-ups never cut a minimum interval or a backoff short; {@link #close()} does.
 *
 * <p>The task logs and counts its own failures: the worker only schedules the retry.
 */
public final class Worker implements AutoCloseable {
    private static final long JOIN_MILLIS = 5000;
    private static final System.Logger LOG = System.getLogger(Worker.class.getName());

    /** The work: computes and applies the full desired state, or only what changed unless {@code fullSync}. */
    @FunctionalInterface
    public interface Task {
        /**
         * @param fullSync true on the first run and on every run after a failure
         * @throws RuntimeException when the run failed: retried after the backoff, with a full sync
         */
        void run(boolean fullSync);
    }

    private final Task task;
    private final String name;
    private final long minIntervalNanos;
    private final long maxIntervalNanos;
    private final Backoff backoff;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean dirty = true;
    private boolean fullSync = true;
    private boolean closed;
    private boolean started;
    /** The last failure's message, so that a run failing the same way again is not logged again. */
    private String lastFailure;

    private Worker(Builder b) {
        this.task = b.task;
        this.name = b.name;
        this.minIntervalNanos = b.minInterval.toNanos();
        this.maxIntervalNanos = b.maxInterval.toNanos();
        this.backoff = b.backoff;
        this.thread = new Thread(this::loop, b.name);
        this.thread.setDaemon(true);
    }

    /**
     * A worker running {@code task} on a thread called {@code name}; by default no minimum or maximum interval
     * and a backoff from 100 ms doubling up to 30 s.
     */
    public static Builder builder(String name, Task task) {
        return new Builder(name, task);
    }

    /** Starts the thread; the first run follows at once (a worker starts dirty). Idempotent. */
    public void start() {
        lock.lock();
        try {
            if (started || closed) {
                return;
            }
            started = true;
        } finally {
            lock.unlock();
        }
        thread.start();
    }

    /** Asks for a run; wake-ups until the run starts are coalesced into it. Does nothing once closed. */
    public void wake() {
        lock.lock();
        try {
            dirty = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Asks for a run that does a full sync. */
    public void wakeFullSync() {
        lock.lock();
        try {
            fullSync = true;
            dirty = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the worker: no run starts after this; a run in progress finishes first. Waits for the thread to
     * end, at most 5 s (a task stuck longer is left to finish on its own, the thread is a daemon).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The name of the worker's thread. */
    public String name() {
        return thread.getName();
    }

    /** True once closed. */
    public boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long lastStart = 0;
        boolean ran = false;
        while (true) {
            boolean full;
            lock.lock();
            try {
                if (!awaitWork(ran, lastStart) || (ran && !pause(lastStart + minIntervalNanos - System.nanoTime()))) {
                    return;
                }
                dirty = false;
                full = fullSync;
                fullSync = false;
            } finally {
                lock.unlock();
            }
            lastStart = System.nanoTime();
            ran = true;
            if (!runOnce(full)) {
                return;
            }
        }
    }

    /** Runs the task; after a failure waits out the backoff and marks dirty. False when closed meanwhile. */
    private boolean runOnce(boolean full) {
        try {
            task.run(full);
            backoff.reset();
            lastFailure = null;
            clearInterrupt();
            return true;
        } catch (Throwable e) {
            // An Error too: the loop must outlive any one run, or whatever it keeps up to date freezes for good.
            clearInterrupt();
            if (!(e instanceof RuntimeException)) {
                LOG.log(System.Logger.Level.ERROR, "worker " + name + ": a run failed; retrying with a full sync", e);
            } else if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                LOG.log(System.Logger.Level.WARNING, "worker " + name + ": a run failed (" + e.getMessage()
                        + "); retrying after a backoff with a full sync");
            }
            lastFailure = String.valueOf(e.getMessage());
            long delay = backoff.next().toNanos();
            lock.lock();
            try {
                fullSync = true;
                dirty = true;
                return pause(delay);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Clears an interrupt a run left behind (e.g. a task that restored the flag after an interrupted wait): only
     * {@link #close()} ends the loop, and a stray flag would otherwise end it silently at its next wait.
     */
    private void clearInterrupt() {
        if (Thread.interrupted()) {
            LOG.log(System.Logger.Level.WARNING, "worker " + name
                    + ": a run left the thread interrupted; ignored, the worker goes on");
        }
    }

    /** Waits until dirty or the maximum interval since the last run passed; false when closed. Lock held. */
    private boolean awaitWork(boolean ran, long lastStart) {
        try {
            while (!dirty && !closed) {
                if (maxIntervalNanos > 0 && ran) {
                    long left = lastStart + maxIntervalNanos - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    changed.awaitNanos(left);
                } else {
                    changed.await();
                }
            }
            return !closed;
        } catch (InterruptedException e) {
            closed = true;
            return false;
        }
    }

    /** Sleeps {@code nanos} unless closed; wake-ups do not cut it short. False when closed. Lock held. */
    private boolean pause(long nanos) {
        try {
            long left = nanos;
            while (left > 0 && !closed) {
                left = changed.awaitNanos(left);
            }
            return !closed;
        } catch (InterruptedException e) {
            closed = true;
            return false;
        }
    }

    /** Settings of a {@link Worker}. */
    public static final class Builder {
        private final String name;
        private final Task task;
        private Duration minInterval = Duration.ZERO;
        private Duration maxInterval = Duration.ZERO;
        private Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 2, 0);

        private Builder(String name, Task task) {
            this.name = name;
            this.task = task;
        }

        /** Shortest time between the starts of two runs; zero for none. */
        public Builder minInterval(Duration d) {
            this.minInterval = requireNotNegative(d);
            return this;
        }

        /** Longest time between the starts of two runs, woken or not (a poll); zero for none. */
        public Builder maxInterval(Duration d) {
            this.maxInterval = requireNotNegative(d);
            return this;
        }

        /** How long to wait before retrying a failed run; owned by the worker from now on. */
        public Builder backoff(Backoff b) {
            this.backoff = b;
            return this;
        }

        /** The worker; its thread starts with {@link Worker#start()}. */
        public Worker build() {
            return new Worker(this);
        }

        private static Duration requireNotNegative(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("interval " + d + " must not be negative");
            }
            return d;
        }
    }
}
