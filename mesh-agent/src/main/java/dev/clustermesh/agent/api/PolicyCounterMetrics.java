package dev.clustermesh.agent.api;

import dev.clustermesh.agent.policy.PolicyCounter;
import dev.clustermesh.agent.policy.PolicyDatapath;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jboss.logging.Logger;

/**
 * The datapath's packet and byte counts per policy, direction and verdict, as {@code mesh_agent_policy_packets_total}
 * and {@code mesh_agent_policy_bytes_total} tagged {@code policy}, {@code direction}, {@code verdict}
 * ({@code allowed}/{@code denied}; policy {@code default-deny} for isolated pods' unmatched packets). Read from the
 * datapath on a timer of its own, never during a scrape (reading nftables takes a process); a failed read is
 * counted in {@code mesh_agent_policy_counter_read_failures_total} and the last values stay. The datapath keeps the
 * totals growing across chains that come and go; the series of a policy it no longer counts (deleted, or selecting
 * no pod here any more) are removed at the next read, so deleted policies do not pile up as series (one that comes
 * back starts from zero, which Prometheus's rate() reads as a counter reset).
 */
final class PolicyCounterMetrics implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyCounterMetrics.class);
    private final PolicyDatapath datapath;
    private final MeterRegistry registry;
    private final Counter failures;
    private final Map<List<String>, AtomicLongArray> values = new ConcurrentHashMap<>();
    private final Map<List<String>, List<Meter>> meters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-policy-counters");
        t.setDaemon(true);
        return t;
    });
    private String lastProblem;

    PolicyCounterMetrics(PolicyDatapath datapath, MeterRegistry registry) {
        this.datapath = datapath;
        this.registry = registry;
        this.failures = Counter.builder("mesh_agent_policy_counter_read_failures")
                .description("Reads of the datapath's policy counters that failed").register(registry);
    }

    /** Reads every {@code period}, the first time right away. */
    void start(Duration period) {
        timer.scheduleWithFixedDelay(this::refresh, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads the counters once now. Never throws: an exception would end the timer's runs for good. */
    void refresh() {
        try {
            java.util.Set<List<String>> seen = new java.util.HashSet<>();
            for (PolicyCounter c : datapath.counters()) {
                List<String> key = List.of(c.policy(), c.direction(), c.verdict());
                seen.add(key);
                AtomicLongArray v = values.computeIfAbsent(key, this::register);
                v.set(0, c.packets());
                v.set(1, c.bytes());
            }
            for (List<String> key : List.copyOf(values.keySet())) {
                if (!seen.contains(key)) {
                    values.remove(key);
                    meters.getOrDefault(key, List.of()).forEach(registry::remove);
                    meters.remove(key);
                }
            }
            lastProblem = null;
        } catch (RuntimeException e) {
            failures.increment();
            if (!String.valueOf(e.getMessage()).equals(lastProblem)) {
                lastProblem = String.valueOf(e.getMessage());
                LOG.warnf("cannot read the policy counters: %s; the metrics keep their last values", lastProblem);
            }
        }
    }

    private AtomicLongArray register(List<String> key) {
        AtomicLongArray v = new AtomicLongArray(2);
        String[] tags = {"policy", key.get(0), "direction", key.get(1), "verdict", key.get(2)};
        meters.put(key, List.of(FunctionCounter.builder("mesh_agent_policy_packets", v, a -> a.get(0)).tags(tags)
                .description("Packets the datapath counted for this policy, direction and verdict").register(registry),
                FunctionCounter.builder("mesh_agent_policy_bytes", v, a -> a.get(1)).tags(tags)
                .description("Bytes the datapath counted for this policy, direction and verdict").register(registry)));
        return v;
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            // A read in progress runs one nft process: let it end rather than interrupt it.
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
