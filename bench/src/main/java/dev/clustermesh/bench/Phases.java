package dev.clustermesh.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * The update phases of one run (a light one, then the heavy one), told apart by send time: an update belongs
 * to the last phase that began at or before it was sent, so a late delivery still counts for its own phase.
 * Shared by every watcher; safe from any thread.
 */
final class Phases {
    /** Most phases in one run. */
    static final int MAX = 4;

    private final LongAdder[] delivered = new LongAdder[MAX];
    private volatile long[] starts = new long[0];

    Phases() {
        for (int i = 0; i < MAX; i++) {
            delivered[i] = new LongAdder();
        }
    }

    /**
     * Starts a phase at {@code start} (benchmark clock).
     *
     * @return its index
     * @throws IllegalStateException past {@link #MAX} phases
     */
    synchronized int begin(long start) {
        long[] now = starts;
        if (now.length == MAX) {
            throw new IllegalStateException("at most " + MAX + " phases");
        }
        long[] next = java.util.Arrays.copyOf(now, now.length + 1);
        next[now.length] = start;
        starts = next;
        return now.length;
    }

    /** The phase an update sent at {@code sent} belongs to, or -1 when it was sent before the first. */
    int of(long sent) {
        long[] s = starts;
        for (int i = s.length - 1; i >= 0; i--) {
            if (sent >= s[i]) {
                return i;
            }
        }
        return -1;
    }

    void delivered(int phase, int n) {
        delivered[phase].add(n);
    }

    /** Deliveries of {@code phase} so far, over every watcher. */
    long delivered(int phase) {
        return delivered[phase].sum();
    }
}
