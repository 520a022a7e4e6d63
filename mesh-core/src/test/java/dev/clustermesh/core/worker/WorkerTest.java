package dev.clustermesh.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** What one run saw. */
    record Run(long startNanos, boolean fullSync) {
    }

    @Test
    void runsOnceAtStartWithAFullSyncThenOnEachWake() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        try (Worker w = Worker.builder("test-worker", full -> runs.add(new Run(System.nanoTime(), full))).build()) {
            w.start();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(1));
            assertThat(runs.get(0).fullSync()).isTrue();
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(2));
            assertThat(runs.get(1).fullSync()).isFalse();
            w.wakeFullSync();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(3));
            assertThat(runs.get(2).fullSync()).isTrue();
        }
    }

    @Test
    void wakesDuringARunAreCoalescedIntoOneMoreRun() throws Exception {
        CountDownLatch inFirstRun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        try (Worker w = Worker.builder("test-worker", full -> {
            if (runs.incrementAndGet() == 1) {
                inFirstRun.countDown();
                await(release);
            }
        }).build()) {
            w.start();
            assertThat(inFirstRun.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                w.wake();
            }
            release.countDown();
            Eventually.await(WAIT, () -> assertThat(runs).hasValue(2));
            // A further wake proves the worker is idle and waiting, not still draining wake-ups.
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasValue(3));
        }
    }

    @Test
    void aRunThrowingAnErrorIsRetriedWithAFullSyncAndTheWorkerGoesOn() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        try (Worker w = Worker.builder("test-worker", full -> {
            runs.add(new Run(System.nanoTime(), full));
            if (runs.size() == 2) {
                throw new StackOverflowError("deep");
            }
        }).backoff(Backoff.constant(Duration.ofMillis(20))).build()) {
            w.start();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(1));
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(3));
            assertThat(runs.get(1).fullSync()).isFalse();
            assertThat(runs.get(2).fullSync()).isTrue();
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(4));
            assertThat(w.closed()).isFalse();
        }
    }

    @Test
    void aRunLeavingTheThreadInterruptedDoesNotEndTheWorker() {
        AtomicInteger runs = new AtomicInteger();
        try (Worker w = Worker.builder("test-worker", full -> {
            runs.incrementAndGet();
            Thread.currentThread().interrupt();
        }).build()) {
            w.start();
            Eventually.await(WAIT, () -> assertThat(runs).hasValue(1));
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasValue(2));
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasValue(3));
        }
    }

    @Test
    void runsStartAtLeastTheMinimumIntervalApart() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        Duration min = Duration.ofMillis(300);
        // The time is read first thing: the first run also loads Run's class, which must not count as lateness.
        try (Worker w = Worker.builder("test-worker", full -> {
            long started = System.nanoTime();
            runs.add(new Run(started, full));
        }).minInterval(min).build()) {
            w.start();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(1));
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(2));
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(3));
        }
        for (int i = 1; i < runs.size(); i++) {
            assertThat(runs.get(i).startNanos() - runs.get(i - 1).startNanos()).isGreaterThanOrEqualTo(min.toNanos());
        }
    }

    @Test
    void withAMaximumIntervalItRunsUnwoken() {
        AtomicInteger runs = new AtomicInteger();
        try (Worker w = Worker.builder("test-worker", full -> runs.incrementAndGet())
                .maxInterval(Duration.ofMillis(50)).build()) {
            w.start();
            Eventually.await(WAIT, () -> assertThat(runs).hasValueGreaterThanOrEqualTo(4));
        }
    }

    @Test
    void aFailedRunIsRetriedAfterTheBackoffWithAFullSyncAndSuccessResetsIt() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofMillis(400), 2, 0);
        try (Worker w = Worker.builder("test-worker", full -> {
            runs.add(new Run(System.nanoTime(), full));
            if (runs.size() <= 3) {
                throw new IllegalStateException("run " + runs.size() + " fails");
            }
        }).backoff(backoff).build()) {
            w.start();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(4));
            w.wake();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(5));
        }
        assertThat(runs).extracting(Run::fullSync).containsExactly(true, true, true, true, false);
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        assertThat(runs.get(1).startNanos() - runs.get(0).startNanos()).isGreaterThanOrEqualTo(200 * ms);
        assertThat(runs.get(2).startNanos() - runs.get(1).startNanos()).isGreaterThanOrEqualTo(400 * ms);
        // Capped at 400 ms.
        assertThat(runs.get(3).startNanos() - runs.get(2).startNanos()).isGreaterThanOrEqualTo(400 * ms);
        assertThat(backoff.attempt()).isZero();
    }

    @Test
    void wakesDoNotCutABackoffShort() {
        List<Run> runs = new CopyOnWriteArrayList<>();
        try (Worker w = Worker.builder("test-worker", full -> {
            runs.add(new Run(System.nanoTime(), full));
            if (runs.size() == 1) {
                throw new IllegalStateException("first run fails");
            }
        }).backoff(Backoff.constant(Duration.ofMillis(500))).build()) {
            w.start();
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(1));
            for (int i = 0; i < 20; i++) {
                w.wake();
            }
            Eventually.await(WAIT, () -> assertThat(runs).hasSize(2));
        }
        assertThat(runs.get(1).startNanos() - runs.get(0).startNanos())
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void closeWaitsForTheRunningRunAndNothingRunsAfter() throws Exception {
        CountDownLatch inRun = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        Worker w = Worker.builder("test-worker", full -> {
            runs.incrementAndGet();
            inRun.countDown();
            sleepQuietly(200);
            finished.incrementAndGet();
        }).build();
        w.start();
        assertThat(inRun.await(10, TimeUnit.SECONDS)).isTrue();
        w.wake();
        w.close();
        assertThat(finished).hasValue(1);
        assertThat(runs).hasValue(1);
        assertThat(w.closed()).isTrue();
        w.wake();
        w.start();
        assertThat(runs).hasValue(1);
    }

    @Test
    void closeInterruptsABackoff() {
        AtomicInteger runs = new AtomicInteger();
        Worker w = Worker.builder("test-worker", full -> {
            runs.incrementAndGet();
            throw new IllegalStateException("always fails");
        }).backoff(Backoff.constant(Duration.ofMinutes(5))).build();
        w.start();
        Eventually.await(WAIT, () -> assertThat(runs).hasValue(1));
        long start = System.nanoTime();
        w.close();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertThat(runs).hasValue(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The task's own work, standing in for an apply that takes time; not used to synchronise the test. */
    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
