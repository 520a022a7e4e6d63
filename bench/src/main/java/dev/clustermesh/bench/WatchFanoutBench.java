package dev.clustermesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Load generator of the watch fan-out benchmark (issue 3): N independent agents list {@code mesh/v1/} and
 * watch it through one server (etcd, {@code etcd grpc-proxy} or mesh-proxy) while a writer updates services
 * straight in etcd at a steady rate: first a light phase (20/s), then the heavy one (1,000/s), each measured
 * on its own. Driven by {@code bench/proxy-fanout.sh}; results in docs/benchmarks.md.
 *
 * <p>Commands:
 * <ul>
 *   <li>{@code preload --etcd host:port --ca --cert --key [--services 10000]}: writes every service once;</li>
 *   <li>{@code run --target NAME --endpoint host:port --etcd host:port --ca --cert --key --watchers N
 *       [--pid P --etcd-pid P --out results.tsv ...]}: one sync and its phases, printed and appended as TSV
 *       lines, one per phase;</li>
 *   <li>{@code report results.tsv}: the markdown table of every run in the file, with ratios.</li>
 * </ul>
 * Exits with status 2 on bad options and 1 when a run could not be made at all. A run whose watchers fail or
 * lose events still completes: the result says how many synced and how many events arrived.
 */
public final class WatchFanoutBench {
    /** Pause between the last watch created and the first update, so the sync's garbage is not measured. */
    private static final long SETTLE_MS = 1000;

    private WatchFanoutBench() {
    }

    /** Runs one command; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: WatchFanoutBench preload|run|report ...");
            System.exit(2);
        }
        try {
            switch (args[0]) {
                case "preload" -> preload(BenchOptions.parse(args, 1));
                case "run" -> run(BenchOptions.parse(args, 1));
                case "report" -> System.out.print(FanoutReport.markdown(Files.readAllLines(Path.of(args[1]))));
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }

    private static void preload(BenchOptions o) throws Exception {
        ServiceValues values = new ServiceValues(o.cluster(), o.services(), o.backends());
        try (TlsChannels direct = new TlsChannels(o, o.etcd(), 1)) {
            long revision = new UpdateWriter(direct.forWatcher(0), values).preload();
            System.out.printf("preloaded %d services of %d bytes, etcd revision %d%n", values.size(),
                    values.valueBytes(), revision);
        }
    }

    private static void run(BenchOptions o) throws Exception {
        ServiceValues values = new ServiceValues(o.cluster(), o.services(), o.backends());
        Samplers samplers = Samplers.start(o);
        Phases phases = new Phases();
        List<AgentWatcher> watchers = new ArrayList<>();
        List<FanoutResult> results = new ArrayList<>();
        try (TlsChannels watch = new TlsChannels(o, o.endpoint(), o.channels());
                TlsChannels direct = new TlsChannels(o, o.etcd(), 1)) {
            Sync sync = sync(o, watch, watchers, phases);
            log(o, "synced %d/%d watchers in %.2f s%s", sync.synced(), o.watchers(), sync.seconds(),
                    sync.failure().map(f -> " (" + f + ")").orElse(""));
            Thread.sleep(SETTLE_MS);
            samplers.lap();
            UpdateWriter writer = new UpdateWriter(direct.forWatcher(0), values);
            for (int rate : o.rates()) {
                results.add(phase(o, rate, writer, phases, sync, watchers, samplers));
            }
            watchers.forEach(AgentWatcher::stop);
        } finally {
            samplers.close();
        }
        System.out.println(FanoutResult.HEADER);
        for (FanoutResult r : results) {
            System.out.println(r.toTsv());
            if (o.out().isPresent()) {
                append(o.out().get(), r);
            }
        }
    }

    /** Writes at {@code rate} for the run's duration, waits for the deliveries, and sums up. */
    private static FanoutResult phase(BenchOptions o, int rate, UpdateWriter writer, Phases phases, Sync sync,
            List<AgentWatcher> watchers, Samplers samplers) throws InterruptedException {
        int index = phases.begin(ServiceValues.now());
        UpdateWriter.Written w = writer.write(rate, o.duration());
        log(o, "wrote %d updates at %.0f/s, etcd applied %d%s", w.acked(), w.rate(), w.applied(),
                w.error().isEmpty() ? "" : " (first error: " + w.error() + ")");
        drain(o, phases, index, sync.synced() * w.applied());
        return result(o, index, rate, sync, w, watchers, samplers.lap());
    }

    /** The processes watched during a run: the target, etcd and this load generator. */
    private record Samplers(ProcessSampler target, ProcessSampler etcd, ProcessSampler self)
            implements AutoCloseable {
        static Samplers start(BenchOptions o) {
            return new Samplers(new ProcessSampler(o.pid().orElse(-1L)).start(),
                    new ProcessSampler(o.etcdPid().orElse(-1L)).start(),
                    new ProcessSampler(ProcessHandle.current().pid()).start());
        }

        /** Target, etcd and client laps, in that order. */
        List<ProcessSampler.Lap> lap() {
            return List.of(target.lap(), etcd.lap(), self.lap());
        }

        @Override
        public void close() {
            target.close();
            etcd.close();
            self.close();
        }
    }

    /**
     * The outcome of the initial sync.
     *
     * @param synced watchers whose watch was created in time
     * @param seconds time until the last of them was created
     * @param failure the first failure, if any
     */
    private record Sync(int synced, double seconds, Optional<String> failure) {
    }

    /** Starts every watcher at once, as agents do when their server restarts, and waits for them. */
    private static Sync sync(BenchOptions o, TlsChannels channels, List<AgentWatcher> watchers, Phases phases) {
        long start = ServiceValues.now();
        List<CompletableFuture<Long>> done = new ArrayList<>();
        for (int i = 0; i < o.watchers(); i++) {
            AgentWatcher w = new AgentWatcher(i, channels.forWatcher(i), ServiceValues.prefix(), phases);
            watchers.add(w);
            done.add(w.start());
        }
        Optional<String> failure = Optional.empty();
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                    .get(o.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            failure = Optional.of(e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            failure = Optional.of("sync timed out after " + o.syncTimeout().toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = Optional.of("interrupted");
        }
        if (failure.isPresent() && !failure.get().startsWith("sync timed out")) {
            // One watcher failed fast; give the others the rest of the time to finish.
            long left = o.syncTimeout().toNanos() - (ServiceValues.now() - start);
            CompletableFuture.allOf(done.stream().map(f -> f.exceptionally(t -> 0L))
                    .toArray(CompletableFuture[]::new)).completeOnTimeout(null, Math.max(0, left), TimeUnit.NANOSECONDS)
                    .join();
        }
        long last = done.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .mapToLong(CompletableFuture::join).max().orElse(start);
        int synced = (int) done.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
        return new Sync(synced, (last - start) / 1e9, failure);
    }

    /** Waits until every expected delivery arrived, the drain timeout passed, or nothing arrived for 10 s. */
    private static void drain(BenchOptions o, Phases phases, int phase, long expected) throws InterruptedException {
        long deadline = ServiceValues.now() + o.drainTimeout().toNanos();
        long last = -1;
        long lastChange = ServiceValues.now();
        while (phases.delivered(phase) < expected && ServiceValues.now() < deadline) {
            long now = phases.delivered(phase);
            if (now != last) {
                last = now;
                lastChange = ServiceValues.now();
            } else if (ServiceValues.now() - lastChange > 10_000_000_000L) {
                break;
            }
            Thread.sleep(50);
        }
        log(o, "delivered %d of %d expected", phases.delivered(phase), expected);
    }

    private static FanoutResult result(BenchOptions o, int phase, int rate, Sync sync, UpdateWriter.Written w,
            List<AgentWatcher> watchers, List<ProcessSampler.Lap> laps) {
        Histogram latency = new Histogram(600_000_000L, 2);
        long delivered = 0;
        long outOfOrder = 0;
        long lastReceive = w.start();
        List<AgentWatcher.Stats> stats = new ArrayList<>();
        for (AgentWatcher a : watchers) {
            AgentWatcher.Stats s = a.stats(phase);
            stats.add(s);
            latency.add(s.latency());
            delivered += s.delivered();
            outOfOrder += s.outOfOrder();
            lastReceive = Math.max(lastReceive, s.lastReceive());
        }
        double span = Math.max(1, lastReceive - w.start()) / 1e9;
        ProcessSampler.Lap target = laps.get(0);
        // For the etcd target, etcd is the target: its CPU is not counted twice.
        double etcdCpu = o.pid().equals(o.etcdPid()) ? target.cpuSeconds() : laps.get(1).cpuSeconds();
        return new FanoutResult(o.target(), o.watchers(), o.channels(), sync.synced(), sync.seconds(), rate,
                w.applied(), w.rate(), sync.synced() * w.applied(), delivered, outOfOrder, ms(latency, 50),
                ms(latency, 99), latency.getMaxValue() / 1000.0, delivered / span, target.peakRssMb(),
                target.cpuSeconds(), etcdCpu, laps.get(2).cpuSeconds(), notes(o, sync, w, stats));
    }

    /** What went wrong: the sync, watchers that failed (how many, first reasons), short lists, the writer. */
    private static String notes(BenchOptions o, Sync sync, UpdateWriter.Written w, List<AgentWatcher.Stats> stats) {
        List<String> notes = new ArrayList<>();
        sync.failure().ifPresent(notes::add);
        List<String> failures = stats.stream().map(AgentWatcher.Stats::failure).filter(f -> !f.isEmpty()).toList();
        if (!failures.isEmpty()) {
            notes.add(failures.size() + " watchers failed: "
                    + String.join(" / ", failures.stream().distinct().limit(2).toList()));
        }
        long badLists = stats.stream().filter(s -> s.failure().isEmpty() && s.listed() < o.services()).count();
        if (badLists > 0) {
            notes.add(badLists + " watchers listed fewer than " + o.services() + " keys");
        }
        if (w.failed() > 0) {
            notes.add(w.failed() + " puts failed at the writer (" + w.error() + "), etcd applied " + w.applied()
                    + " of " + w.attempted());
        }
        return String.join("; ", notes);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static void append(Path out, FanoutResult r) throws IOException {
        Files.writeString(out, r.toTsv() + System.lineSeparator(), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static void log(BenchOptions o, String format, Object... args) {
        System.out.printf("[%s N=%d] %s%n", o.target(), o.watchers(), String.format(format, args));
    }
}
