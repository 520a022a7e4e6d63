package dev.clustermesh.meshctl.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Waits, with a deadline, until one step of a multi-step operation is confirmed, and says how long it took. */
public final class Confirm {
    private Confirm() {
    }

    /**
     * Polls {@code done} every {@code poll} until it holds, then prints {@code ✅ what (time)}.
     *
     * @param stopped what to tell when it does not hold in time (the state left behind, what to do)
     * @throws MeshCtlException naming {@code what} and {@code stopped} when {@code timeout} passes first
     */
    public static void await(PrintStream out, String what, Duration timeout, Duration poll, BooleanSupplier done,
            String stopped) {
        Instant start = Instant.now();
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(start.plus(timeout))) {
                throw new MeshCtlException("not confirmed within " + Durations.format(timeout) + ": " + what + " ("
                        + stopped + ")");
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshCtlException("interrupted while waiting: " + what);
            }
        }
        out.println("   ✅ " + what + " (" + Durations.format(Duration.between(start, Instant.now())) + ")");
    }
}
