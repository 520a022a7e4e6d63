package dev.clustermesh.core.tls;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code mesh_tls_certificate_expiry_seconds{role,cluster}} for a service that connects to clusters (agent,
 * mesh-dns): seconds until the earliest certificate of each role (client, ca, server as last seen) expires, per
 * cluster. {@link #refresh()} adds the series of new clusters and removes those of clusters gone; values are read
 * at each scrape.
 */
public final class CertificateGauges implements AutoCloseable {
    /** The metric's name, shared with mesh-proxy's own server and CA series. */
    public static final String NAME = "mesh_tls_certificate_expiry_seconds";

    private final MeterRegistry registry;
    private final Supplier<Map<String, List<MeshCertificate>>> source;
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private volatile Map<String, Instant> earliest = Map.of();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certificate-gauges");
        t.setDaemon(true);
        return t;
    });

    public CertificateGauges(MeterRegistry registry, Supplier<Map<String, List<MeshCertificate>>> source) {
        this.registry = registry;
        this.source = source;
    }

    /** Refreshes now and every {@code period} until closed. */
    public void start(java.time.Duration period) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                refresh();
            } catch (RuntimeException e) {
                System.getLogger(CertificateGauges.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot read the certificates in use for " + NAME, e);
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Reads the certificates in use now and updates the series; cheap, call it every few seconds. */
    public synchronized void refresh() {
        Map<String, Instant> next = new HashMap<>();
        source.get().forEach((cluster, certs) -> certs.forEach(c -> next.merge(key(c.role(), cluster), c.notAfter(),
                (a, b) -> a.isBefore(b) ? a : b)));
        earliest = next;
        for (String k : next.keySet()) {
            gauges.computeIfAbsent(k, this::register);
        }
        gauges.keySet().removeIf(k -> {
            if (next.containsKey(k)) {
                return false;
            }
            registry.remove(gauges.get(k));
            return true;
        });
    }

    private Gauge register(String key) {
        String[] rc = key.split("\u0000", 2);
        Gauge.Builder<CertificateGauges> b = Gauge.builder(NAME, this, g -> g.secondsLeft(key)).tag("role", rc[0])
                .tag("cluster", rc[1]).description("Seconds until the certificate expires (per role and cluster, the "
                        + "earliest)");
        // A registry hands back a meter already registered under the ID, which would read an earlier instance.
        registry.remove(b.register(registry));
        return b.register(registry);
    }

    private double secondsLeft(String key) {
        Instant end = earliest.get(key);
        return end == null ? Double.NaN : (end.toEpochMilli() - System.currentTimeMillis()) / 1000.0;
    }

    private static String key(String role, String cluster) {
        return role + "\u0000" + cluster;
    }
}
