package dev.clustermesh.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line options of {@link WatchFanoutBench}, given as {@code --name value}.
 *
 * @param target label of the server under test (etcd, grpc-proxy, mesh-proxy)
 * @param endpoint {@code host:port} the watchers connect to
 * @param etcd {@code host:port} of etcd itself, where the writer puts
 * @param ca CA certificate (PEM) that signed the servers' certificates
 * @param cert client certificate (PEM), CN {@code local-<cluster>}
 * @param key client key (PEM, PKCS#8)
 * @param cluster cluster name in the keys
 * @param watchers number of independent watch streams
 * @param perChannel watchers sharing one TLS connection
 * @param services services preloaded and updated
 * @param backends backends per service, which sets the value size (about 80 bytes + 100 per backend)
 * @param lightRate updates per second of the light phase that runs first; 0 skips it
 * @param rate updates per second of the heavy phase
 * @param duration how long the writer writes in each phase
 * @param syncTimeout time allowed for every watcher to list and create its watch
 * @param drainTimeout time allowed after the last write for deliveries to arrive
 * @param pid process whose RSS and CPU are sampled (the server under test), if any
 * @param etcdPid etcd's process, whose CPU is sampled too, if any
 * @param out file the result line (TSV) is appended to, if any
 */
record BenchOptions(String target, String endpoint, String etcd, Path ca, Path cert, Path key, String cluster,
        int watchers, int perChannel, int services, int backends, int lightRate, int rate, Duration duration,
        Duration syncTimeout, Duration drainTimeout, Optional<Long> pid, Optional<Long> etcdPid, Optional<Path> out) {

    private static final Set<String> KNOWN = Set.of("target", "endpoint", "etcd", "ca", "cert", "key", "cluster",
            "watchers", "per-channel", "services", "backends", "light-rate", "rate", "seconds", "sync-timeout",
            "drain-timeout", "pid", "etcd-pid", "out");

    /**
     * Parses {@code --name value} pairs.
     *
     * @throws IllegalArgumentException naming an unknown option, a missing value or a bad number
     */
    static BenchOptions parse(String[] args, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!KNOWN.contains(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "bad option '" + args[i] + "'; known: --" + String.join(" --", new java.util.TreeSet<>(KNOWN)));
            }
            m.put(name, args[i + 1]);
        }
        String etcd = required(m, "etcd");
        return new BenchOptions(m.getOrDefault("target", "etcd"), m.getOrDefault("endpoint", etcd), etcd,
                Path.of(required(m, "ca")), Path.of(required(m, "cert")), Path.of(required(m, "key")),
                m.getOrDefault("cluster", "cluster1"), number(m, "watchers", 100), number(m, "per-channel", 50),
                number(m, "services", 10_000), number(m, "backends", 2), number(m, "light-rate", 20),
                number(m, "rate", 1000),
                Duration.ofSeconds(number(m, "seconds", 10)), Duration.ofSeconds(number(m, "sync-timeout", 180)),
                Duration.ofSeconds(number(m, "drain-timeout", 30)),
                Optional.ofNullable(m.get("pid")).map(Long::parseLong),
                Optional.ofNullable(m.get("etcd-pid")).map(Long::parseLong),
                Optional.ofNullable(m.get("out")).map(Path::of));
    }

    /** Update rates of the phases, in order: the light one (if any), then the heavy one. */
    java.util.List<Integer> rates() {
        return lightRate == 0 ? java.util.List.of(rate) : java.util.List.of(lightRate, rate);
    }

    /** Number of TLS connections the watchers are spread over. */
    int channels() {
        return Math.max(1, (watchers + perChannel - 1) / perChannel);
    }

    private static String required(Map<String, String> m, String name) {
        String v = m.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private static int number(Map<String, String> m, String name, int dflt) {
        String v = m.get(name);
        try {
            int n = v == null ? dflt : Integer.parseInt(v);
            if (n < 0 || (n == 0 && !name.equals("light-rate"))) {
                throw new IllegalArgumentException("--" + name + " must be positive, got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " is not a number: " + v, e);
        }
    }
}
