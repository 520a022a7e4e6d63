package dev.clustermesh.agent.api;

import dev.clustermesh.agent.mesh.AgentObserver;
import dev.clustermesh.core.mesh.Stage;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Prometheus metrics of the agent core; bad input is logged here once and counted. */
@Singleton
final class AgentMetrics implements AgentObserver {
    private static final Logger LOG = Logger.getLogger(AgentMetrics.class);
    private final MeterRegistry registry;
    private final Timer reconcile;
    private final Timer propagation;
    private final Map<String, Instant> syncedSessions = new ConcurrentHashMap<>();
    private final Map<String, Freshness> freshness = new ConcurrentHashMap<>();
    private final Map<String, Timer> stages = new ConcurrentHashMap<>();
    private volatile PolicyClusterGauges policyClusters;

    AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.reconcile = Timer.builder("mesh_agent_reconcile_duration").publishPercentiles(0.5, 0.99)
                .description("Time to compute and apply the LB maps").register(registry);
        this.propagation = Timer.builder("mesh_agent_propagation_latency").publishPercentiles(0.5, 0.99)
                .description("Time from a mesh change arriving to the datapath holding it").register(registry);
    }

    @Override
    public void event(String cluster) {
        registry.counter("mesh_agent_cluster_events", "cluster", cluster).increment();
    }

    /** Registers each cluster's policy gauges as its status is first reported (set before the core starts). */
    void policyClusters(PolicyClusterGauges gauges) {
        this.policyClusters = gauges;
    }

    /**
     * Sync latency: from a session's start (connectedSince) to every kind's sync canary seen, once per session.
     */
    @Override
    public void clusterStatus(ClusterStatus s) {
        PolicyClusterGauges gauges = policyClusters;
        if (gauges != null) {
            gauges.register(s.name());
        }
        if (freshness.put(s.name(), s.freshness()) == null) {
            for (Freshness f : Freshness.values()) {
                Gauge.builder("mesh_agent_cluster_freshness", freshness,
                        m -> m.get(s.name()) == f ? 1 : 0).tags("cluster", s.name(), "state", f.label())
                        .description("1 for the cluster's current freshness (pending, fresh, stale, revoked)")
                        .register(registry);
            }
        }
        if (!s.ready() || s.connectedSince().isEmpty()) {
            return;
        }
        Instant since = s.connectedSince().get();
        if (since.equals(syncedSessions.put(s.name(), since))) {
            return;
        }
        Timer.builder("mesh_agent_cluster_sync").tag("cluster", s.name())
                .description("Time from connecting to a cluster until every kind is synced").register(registry)
                .record(Duration.between(since, Instant.now()));
    }

    /** Transit (a remote exporter's write to here) and applied (received to programmed), per cluster. */
    @Override
    public void propagation(String cluster, Stage stage, long nanos) {
        stages.computeIfAbsent(cluster + '\0' + stage.label(), k -> Timer.builder("mesh_agent_propagation_stage")
                .tags("cluster", cluster, "stage", stage.label()).publishPercentiles(0.5, 0.99)
                .description("Time a cluster's changes spend per stage on their way here: transit from its "
                        + "exporter's write to received (heartbeats; two clocks), applied from received to programmed")
                .register(registry)).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** A removed cluster's freshness and stage series go with it (a dashboard must not show it forever). */
    @Override
    public void clusterRemoved(String cluster) {
        freshness.remove(cluster);
        syncedSessions.remove(cluster);
        stages.keySet().removeIf(k -> k.startsWith(cluster + '\0'));
        registry.find("mesh_agent_cluster_freshness").tag("cluster", cluster).meters().forEach(registry::remove);
        registry.find("mesh_agent_propagation_stage").tag("cluster", cluster).meters().forEach(registry::remove);
    }

    @Override
    public void invalid(String cluster, String reason) {
        LOG.warnf("cluster %s: skipped %s", cluster, reason);
        registry.counter("mesh_agent_invalid_values", "cluster", cluster).increment();
    }

    @Override
    public void badClusterFile(String file, String reason) {
        LOG.errorf("cluster config %s", reason);
        registry.counter("mesh_agent_bad_cluster_files").increment();
    }

    @Override
    public void applied(long reconcileNanos, long propagationNanos) {
        reconcile.record(reconcileNanos, TimeUnit.NANOSECONDS);
        propagation.record(propagationNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void failed(RuntimeException e) {
        registry.counter("mesh_agent_datapath_failures").increment();
    }
}
