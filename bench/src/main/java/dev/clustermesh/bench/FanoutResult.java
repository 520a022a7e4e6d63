package dev.clustermesh.bench;

import java.util.Locale;

/**
 * One update phase of a fan-out run against one target with one number of watchers. Stored as one TSV line so
 * the driver script can collect runs from separate JVMs and {@link FanoutReport} can tabulate them.
 *
 * @param target etcd, grpc-proxy or mesh-proxy
 * @param watchers watch streams requested
 * @param connections TLS connections they were spread over
 * @param synced watchers that listed and created their watch in time
 * @param syncSeconds time from the first Range until the last watch was created
 * @param rate updates per second asked of the writer
 * @param updates updates etcd applied
 * @param writerRate updates per second the writer achieved
 * @param expected synced watchers times updates
 * @param delivered updates delivered to watchers, each counted once
 * @param outOfOrder events delivered again or out of revision order
 * @param p50Ms median update latency, send to receive
 * @param p99Ms 99th percentile of the same
 * @param maxMs largest latency
 * @param deliveriesPerSecond deliveries divided by the time from the first Put to the last delivery
 * @param rssMb peak VmRSS of the target process from the start of the run to the end of the phase, MiB
 * @param cpuSeconds CPU the target process used during the phase
 * @param etcdCpuSeconds CPU etcd used during the phase (same as cpuSeconds for the etcd target)
 * @param clientCpuSeconds CPU the load generator used during the phase
 * @param note first failure or anomaly, "-" when none
 */
record FanoutResult(String target, int watchers, int connections, int synced, double syncSeconds, int rate,
        long updates, double writerRate, long expected, long delivered, long outOfOrder, double p50Ms, double p99Ms,
        double maxMs, double deliveriesPerSecond, double rssMb, double cpuSeconds, double etcdCpuSeconds,
        double clientCpuSeconds, String note) {

    /** Column names of {@link #toTsv()}. */
    static final String HEADER = String.join("\t", "target", "watchers", "connections", "synced", "sync_s",
            "rate", "updates", "writer_rate", "expected", "delivered", "out_of_order", "p50_ms", "p99_ms", "max_ms",
            "deliveries_per_s", "rss_mb", "cpu_s", "etcd_cpu_s", "client_cpu_s", "note");

    /** This result as one tab-separated line; tabs and newlines in the note become spaces. */
    String toTsv() {
        return String.format(Locale.ROOT, "%s\t%d\t%d\t%d\t%.3f\t%d\t%d\t%.1f\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.0f\t%.1f"
                + "\t%.2f\t%.2f\t%.2f\t%s", target, watchers, connections, synced, syncSeconds, rate, updates,
                writerRate, expected, delivered, outOfOrder, p50Ms, p99Ms, maxMs, deliveriesPerSecond, rssMb,
                cpuSeconds, etcdCpuSeconds, clientCpuSeconds,
                note.isBlank() ? "-" : note.replaceAll("[\\t\\r\\n]+", " "));
    }

    /**
     * Parses a line written by {@link #toTsv()}.
     *
     * @throws IllegalArgumentException when the line has the wrong number of fields or a bad number
     */
    static FanoutResult fromTsv(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 20) {
            throw new IllegalArgumentException("expected 20 fields, got " + f.length + ": " + line);
        }
        return new FanoutResult(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                d(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[6]), d(f[7]), Long.parseLong(f[8]),
                Long.parseLong(f[9]), Long.parseLong(f[10]), d(f[11]), d(f[12]), d(f[13]), d(f[14]), d(f[15]),
                d(f[16]), d(f[17]), d(f[18]), f[19]);
    }

    private static double d(String s) {
        return Double.parseDouble(s);
    }
}
