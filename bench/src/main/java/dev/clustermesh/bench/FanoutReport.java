package dev.clustermesh.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/** Turns the TSV lines of several {@link FanoutResult}s into the markdown of docs/benchmarks.md. */
final class FanoutReport {
    private FanoutReport() {
    }

    /**
     * For the heaviest rate: the full table (sync time, latency, throughput, losses, memory, CPU); for each
     * lighter rate: latency, losses and CPU; then the mesh-proxy / grpc-proxy ratios of each. Lines that are
     * not results are skipped.
     */
    static String markdown(List<String> lines) {
        List<FanoutResult> results = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank() && !line.startsWith("target\t")) {
                results.add(FanoutResult.fromTsv(line));
            }
        }
        StringBuilder b = new StringBuilder();
        List<Integer> rates = results.stream().map(FanoutResult::rate).distinct()
                .sorted(java.util.Comparator.reverseOrder()).toList();
        for (int rate : rates) {
            List<FanoutResult> at = results.stream().filter(r -> r.rate() == rate).toList();
            b.append(String.format(Locale.ROOT, "At %,d updates/s:%n%n", rate));
            b.append(rate == rates.get(0) ? table(at) : lightTable(at)).append('\n').append(ratios(at)).append('\n');
        }
        return b.toString();
    }

    private static String table(List<FanoutResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("| target | watchers (conns) | initial sync | p50 | p99 | max | deliveries/s | delivered / expected"
                + " | peak RSS | CPU target / etcd / client | target CPU per delivery | notes |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (FanoutResult r : results) {
            if (r.connections() == 0) {
                b.append(String.format(Locale.ROOT, "| %s | %d |%s **%s** |%n", r.target(), r.watchers(),
                        " – |".repeat(10), notes(r)));
                continue;
            }
            String synced = r.synced() == r.watchers() ? "" : " (" + r.synced() + " synced)";
            b.append(String.format(Locale.ROOT, "| %s | %d (%d) | %.2f s%s | %s | %s | %s | %,.0f | %,d / %,d%s"
                    + " | %.0f MiB | %.1f / %.1f / %.1f s | %s | %s |%n",
                    r.target(), r.watchers(), r.connections(), r.syncSeconds(), synced, ms(r.p50Ms()), ms(r.p99Ms()),
                    ms(r.maxMs()), r.deliveriesPerSecond(), r.delivered(), r.expected(), lost(r), r.rssMb(),
                    r.cpuSeconds(), r.etcdCpuSeconds(), r.clientCpuSeconds(), perDelivery(r), notes(r)));
        }
        return b.toString();
    }

    private static String lightTable(List<FanoutResult> results) {
        StringBuilder b = new StringBuilder("| target | watchers | p50 | p99 | max | delivered / expected"
                + " | CPU target / etcd / client | notes |\n|---|---|---|---|---|---|---|---|\n");
        for (FanoutResult r : results) {
            if (r.connections() == 0) {
                continue;
            }
            b.append(String.format(Locale.ROOT,
                    "| %s | %d | %s | %s | %s | %,d / %,d%s | %.1f / %.1f / %.1f s | %s |%n",
                    r.target(), r.watchers(), ms(r.p50Ms()), ms(r.p99Ms()), ms(r.maxMs()), r.delivered(),
                    r.expected(), lost(r), r.cpuSeconds(), r.etcdCpuSeconds(), r.clientCpuSeconds(), notes(r)));
        }
        return b.toString();
    }

    /** Microseconds of the target's CPU per delivery: cost of the fan-out, less sensitive to a busy machine. */
    private static String perDelivery(FanoutResult r) {
        return r.delivered() == 0 ? "–"
                : String.format(Locale.ROOT, "%.1f µs", r.cpuSeconds() * 1e6 / r.delivered());
    }

    private static String ratios(List<FanoutResult> results) {
        StringBuilder b = new StringBuilder("| watchers | sync time | p50 | p99 | deliveries/s | peak RSS"
                + " | CPU per delivery |\n|---|---|---|---|---|---|---|\n");
        for (int n : new TreeSet<>(results.stream().map(FanoutResult::watchers).toList())) {
            Optional<FanoutResult> mesh = find(results, "mesh-proxy", n);
            Optional<FanoutResult> grpc = find(results, "grpc-proxy", n);
            if (mesh.isEmpty() || grpc.isEmpty() || mesh.get().connections() == 0 || grpc.get().connections() == 0) {
                continue;
            }
            FanoutResult m = mesh.get();
            FanoutResult g = grpc.get();
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s |%n", n,
                    ratio(m.syncSeconds(), g.syncSeconds()), ratio(m.p50Ms(), g.p50Ms()), ratio(m.p99Ms(), g.p99Ms()),
                    ratio(m.deliveriesPerSecond(), g.deliveriesPerSecond()), ratio(m.rssMb(), g.rssMb()),
                    ratio(m.cpuSeconds() / Math.max(1, m.delivered()), g.cpuSeconds() / Math.max(1, g.delivered()))));
        }
        return "mesh-proxy ÷ grpc-proxy (below 1 is better for mesh-proxy, except deliveries/s where above 1 is):\n\n"
                + b;
    }

    private static Optional<FanoutResult> find(List<FanoutResult> results, String target, int n) {
        return results.stream().filter(r -> r.target().equals(target) && r.watchers() == n).reduce((a, b) -> b);
    }

    private static String ms(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return v >= 1000 ? String.format(Locale.ROOT, "%.2f s", v / 1000) : String.format(Locale.ROOT, "%.1f ms", v);
    }

    private static String lost(FanoutResult r) {
        long missing = r.expected() - r.delivered();
        String s = "";
        if (missing > 0) {
            s = String.format(Locale.ROOT, " (**%,d not delivered**)", missing);
        } else if (missing < 0) {
            // A Put that timed out at the client may still have been applied by etcd and delivered.
            s = String.format(Locale.ROOT, " (+%,d: puts that failed at the writer but were applied)", -missing);
        }
        return r.outOfOrder() == 0 ? s : s + String.format(Locale.ROOT, " (%,d dup/out-of-order)", r.outOfOrder());
    }

    private static String notes(FanoutResult r) {
        String writer = r.connections() > 0 && r.writerRate() < 0.95 * r.rate() ? String.format(Locale.ROOT,
                "writer reached %.0f/s; ", r.writerRate()) : "";
        String note = r.note().equals("-") ? "" : r.note().replace("|", "/");
        String s = (writer + note).trim();
        return s.isEmpty() ? "–" : s;
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
    }
}
