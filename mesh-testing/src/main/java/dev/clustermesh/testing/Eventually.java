package dev.clustermesh.testing;

import java.time.Duration;

/** Polling with a deadline, instead of sleeping in tests. */
public final class Eventually {

    /** A check that may throw (an assertion, an I/O failure) until it holds. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /** A failure no retry can mend (a process that exited): {@link #await} rethrows it at once. */
    public static final class Abort extends RuntimeException {
        public Abort(String message) {
            super(message);
        }
    }

    private Eventually() {
    }

    /**
     * Runs {@code check} every 50 ms until it passes or {@code timeout} runs out, or it throws {@link Abort}.
     *
     * @throws AssertionError with the last failure as cause when the deadline passes
     */
    public static void await(Duration timeout, Check check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last;
        do {
            try {
                check.run();
                return;
            } catch (Abort e) {
                throw e;
            } catch (Exception | AssertionError e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("condition not met within " + timeout + ": " + last.getMessage(), last);
    }
}
