package dev.clustermesh.core.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the n-th delay (n from 0) is {@code min × factor^n}, capped at {@code max},
 * then shortened by a random part of at most {@code jitter} of it, so the result lies in
 * {@code [d × (1 − jitter), d]}. Spreading the delays keeps many clients that failed together from retrying
 * together. {@link #reset()} after a success starts again from {@code min}. Not thread-safe: one owner.
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final double factor;
    private final double jitter;
    private final DoubleSupplier random;
    private int attempt;

    /**
     * @param min the first delay; positive
     * @param max the longest delay; at least {@code min}
     * @param factor growth per attempt; at least 1
     * @param jitter the part of each delay that is random, 0 (none) to 1
     * @throws IllegalArgumentException when a parameter is out of its range
     */
    public Backoff(Duration min, Duration max, double factor, double jitter) {
        this(min, max, factor, jitter, () -> ThreadLocalRandom.current().nextDouble());
    }

    Backoff(Duration min, Duration max, double factor, double jitter, DoubleSupplier random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " and " + max);
        }
        if (!(factor >= 1) || !(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff needs factor >= 1 and jitter in 0..1, got " + factor
                    + " and " + jitter);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.factor = factor;
        this.jitter = jitter;
        this.random = random;
    }

    /** A backoff that always waits {@code delay}. */
    public static Backoff constant(Duration delay) {
        return new Backoff(delay, delay, 1, 0);
    }

    /** The delay before the next attempt; each call counts one more failed attempt. */
    public Duration next() {
        double d = Math.min((double) maxNanos, minNanos * Math.pow(factor, attempt));
        if (d < maxNanos) {
            attempt++;
        }
        long jittered = (long) (d - d * jitter * random.getAsDouble());
        return Duration.ofNanos(Math.max(0, jittered));
    }

    /** Starts over from the first delay (after a success). */
    public void reset() {
        attempt = 0;
    }

    /** Failed attempts counted since the last reset, until the cap is reached. */
    public int attempt() {
        return attempt;
    }
}
