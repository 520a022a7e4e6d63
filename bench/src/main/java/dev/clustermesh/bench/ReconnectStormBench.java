package dev.clustermesh.bench;

import com.google.protobuf.ByteString;
import dev.clustermesh.core.worker.Backoff;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Reconnect storm (issue 14): N agents watch {@code mesh/v1/} through one server (mesh-proxy or
 * {@code etcd grpc-proxy}); the server is killed with SIGKILL and started again on the same port; every agent
 * reconnects the way mesh-agent does (a new connection per attempt, jittered exponential backoff), lists and
 * watches again. Measured: the new server's peak resident set during the storm (VmHWM: from its start through
 * every agent re-synced), its resident set before the kill with all agents watching, and how long the agents
 * took to be back. Driven by {@code bench/proxy-reconnect.sh}; results in docs/benchmarks.md.
 *
 * <p>Options: {@code --target NAME --argv FILE --log FILE --endpoint host:port --ca --cert --key --watchers N
 * --services S [--jitter 0.5] [--out results.tsv]}; {@code --argv} holds the server's command line, one argument
 * per line. Exits 2 on bad options, 1 when the run could not be made.
 */
public final class ReconnectStormBench {
    static final String HEADER = "target\twatchers\tjitter\tsync_s\tsteady_rss_mb\tresync_s\toutage_p50_ms\t"
            + "outage_p99_ms\toutage_max_ms\tretries\tpeak_rss_mb\tafter_rss_mb\tresynced";
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration RESYNC = Duration.ofSeconds(180);
    private static final int MAX_MESSAGE = 256 << 20;

    private ReconnectStormBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected argument '" + args[i] + "'");
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : List.of("target", "argv", "log", "endpoint", "ca", "cert", "key", "watchers",
                "services")) {
            if (!o.containsKey(required)) {
                usage("missing --" + required);
            }
        }
        try {
            run(o);
        } catch (Exception e) {
            System.err.println("reconnect storm: " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void usage(String why) {
        System.err.println(why + "\nusage: ReconnectStormBench --target NAME --argv FILE --log FILE --endpoint "
                + "host:port --ca F --cert F --key F --watchers N --services S [--jitter 0.5] [--out F]");
        System.exit(2);
    }

    private static void run(Map<String, String> o) throws Exception {
        String target = o.get("target");
        int watchers = Integer.parseInt(o.get("watchers"));
        long services = Long.parseLong(o.get("services"));
        double jitter = Double.parseDouble(o.getOrDefault("jitter", "0.5"));
        List<String> argv = Files.readAllLines(Path.of(o.get("argv"))).stream().filter(s -> !s.isEmpty()).toList();
        File log = new File(o.get("log"));
        SslContext ssl = GrpcSslContexts.forClient().trustManager(new File(o.get("ca")))
                .keyManager(new File(o.get("cert")), new File(o.get("key"))).build();
        String[] hp = o.get("endpoint").split(":");
        java.util.function.Supplier<ManagedChannel> dial = () -> NettyChannelBuilder.forAddress(hp[0],
                Integer.parseInt(hp[1])).sslContext(ssl).maxInboundMessageSize(MAX_MESSAGE).build();
        ByteString prefix = ByteString.copyFromUtf8("mesh/v1/");

        Process[] current = {start(argv, log)};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> current[0].destroyForcibly()));
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "storm-timer");
            t.setDaemon(true);
            return t;
        });
        try {
            storm(o, target, watchers, services, jitter, argv, log, dial, prefix, current, timer);
        } finally {
            timer.shutdownNow();
            current[0].destroy();
            if (!current[0].waitFor(20, TimeUnit.SECONDS)) {
                current[0].destroyForcibly();
            }
        }
    }

    private static void storm(Map<String, String> o, String target, int watchers, long services, double jitter,
            List<String> argv, File log, java.util.function.Supplier<ManagedChannel> dial, ByteString prefix,
            Process[] current, ScheduledExecutorService timer) throws Exception {
        awaitServing(dial, prefix, services, current[0]);
        List<StormWatcher> agents = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < watchers; i++) {
            StormWatcher w = new StormWatcher(dial, prefix, timer,
                    new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2, jitter));
            agents.add(w);
            w.start();
        }
        await(RESYNC, () -> agents.stream().allMatch(a -> a.state().watching()), "every agent watching");
        double syncSeconds = (System.nanoTime() - t0) / 1e9;
        pause(2000);
        double steady = ProcStatus.kb(current[0].pid(), "VmRSS") / 1024.0;
        log("%s: %d agents watching after %.2f s; resident set %.0f MiB", target, watchers, syncSeconds, steady);

        current[0].destroyForcibly();
        current[0].waitFor(30, TimeUnit.SECONDS);
        await(Duration.ofSeconds(30), () -> agents.stream().noneMatch(a -> a.state().watching()),
                "every agent noticing the kill");
        long restarted = System.nanoTime();
        current[0] = start(argv, log);
        boolean resynced = awaitQuietly(RESYNC, () -> agents.stream().allMatch(a -> a.state().watching()));
        double resyncSeconds = (System.nanoTime() - restarted) / 1e9;
        pause(2000);
        long pid = current[0].pid();
        double peak = ProcStatus.kb(pid, "VmHWM") / 1024.0;
        double after = ProcStatus.kb(pid, "VmRSS") / 1024.0;
        List<StormWatcher.State> states = agents.stream().map(StormWatcher::state).toList();
        agents.forEach(StormWatcher::stop);
        long[] outages = states.stream().filter(s -> s.lastOutageNanos() >= 0)
                .mapToLong(s -> s.lastOutageNanos() / 1_000_000).sorted().toArray();
        int retries = states.stream().mapToInt(s -> s.attempts() - 2).map(n -> Math.max(0, n)).sum();
        long back = states.stream().filter(StormWatcher.State::watching).count();
        String row = String.format(Locale.ROOT, "%s\t%d\t%.2f\t%.2f\t%.0f\t%.2f\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%d",
                target, watchers, jitter, syncSeconds, steady, resyncSeconds, quantile(outages, 0.5),
                quantile(outages, 0.99), outages.length == 0 ? 0 : outages[outages.length - 1], retries, peak, after,
                back);
        System.out.println(HEADER);
        System.out.println(row);
        if (o.containsKey("out")) {
            Files.writeString(Path.of(o.get("out")), row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        states.forEach(s -> s.failures().forEach((k, n) -> kinds.merge(k, n, Integer::sum)));
        log("%s: failures by kind, the kill's included: %s", target, kinds);
        if (!resynced) {
            states.stream().filter(s -> !s.watching()).findFirst().ifPresent(s ->
                    log("%s: %d of %d agents back; one that is not: %s", target, back, watchers, s.lastError()));
        }
    }

    private static Process start(List<String> argv, File log) throws IOException {
        return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
    }

    /** Waits until the server answers a list of every preloaded service over mTLS. */
    private static void awaitServing(java.util.function.Supplier<ManagedChannel> dial, ByteString prefix,
            long services, Process server) {
        ManagedChannel c = dial.get();
        try {
            ByteString end = AgentWatcher.rangeEnd(prefix);
            await(READY, () -> {
                if (!server.isAlive()) {
                    throw new IllegalStateException("the server exited with status " + server.exitValue());
                }
                try {
                    return KVGrpc.newBlockingStub(c).withDeadlineAfter(5, TimeUnit.SECONDS).range(RangeRequest
                            .newBuilder().setKey(prefix).setRangeEnd(end).setCountOnly(true).build())
                            .getCount() >= services;
                } catch (RuntimeException e) {
                    return false;
                }
            }, "the server serving " + services + " services");
        } finally {
            c.shutdownNow();
        }
    }

    private static void await(Duration limit, BooleanSupplier done, String what) {
        if (!awaitQuietly(limit, done)) {
            throw new IllegalStateException("not " + what + " after " + limit.toSeconds() + " s");
        }
    }

    /** Polls every 20 ms until {@code done} or the limit. */
    private static boolean awaitQuietly(Duration limit, BooleanSupplier done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            pause(20);
        }
        return true;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long quantile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static void log(String format, Object... args) {
        System.err.printf("[storm] " + format + "%n", args);
    }

    /** Fields of {@code /proc/<pid>/status}. */
    private static final class ProcStatus {
        static long kb(long pid, String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
            throw new IllegalStateException("no " + field + " for process " + pid);
        }
    }
}
