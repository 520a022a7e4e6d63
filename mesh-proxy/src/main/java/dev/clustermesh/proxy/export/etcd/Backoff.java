package dev.clustermesh.proxy.export.etcd;

import java.time.Duration;

/** Exponential backoff: {@code initial}, doubling up to {@code max}; not thread-safe (one owner thread). */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    /** @throws IllegalArgumentException when {@code initial} is not positive or {@code max} is below it */
    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
        }
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    /** The delay before the next attempt; each call doubles the following one, up to the maximum. */
    public Duration next() {
        Duration d = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return d;
    }

    /** Starts over at the initial delay (after a success). */
    public void reset() {
        next = initial;
    }
}
