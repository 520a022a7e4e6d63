package dev.clustermesh.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.mesh.Stage;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {

    @Test
    void aRemovedClustersFreshnessAndStageSeriesGoWithItAndComeBackWithIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AgentMetrics metrics = new AgentMetrics(registry);
        metrics.clusterStatus(status("cluster2"));
        metrics.clusterStatus(status("cluster3"));
        metrics.propagation("cluster2", Stage.APPLIED, 1_000_000);
        metrics.propagation("cluster2", Stage.TRANSIT, 2_000_000);
        metrics.propagation("cluster3", Stage.APPLIED, 1_000_000);
        assertThat(registry.find("mesh_agent_cluster_freshness").tag("cluster", "cluster2").gauges()).hasSize(4);
        assertThat(registry.find("mesh_agent_propagation_stage").tag("cluster", "cluster2").timers()).hasSize(2);

        metrics.clusterRemoved("cluster2");
        assertThat(registry.find("mesh_agent_cluster_freshness").tag("cluster", "cluster2").gauges()).isEmpty();
        assertThat(registry.find("mesh_agent_propagation_stage").tag("cluster", "cluster2").timers()).isEmpty();
        assertThat(registry.find("mesh_agent_propagation_stage").tag("cluster", "cluster3").timers()).hasSize(1);
        assertThat(registry.find("mesh_agent_cluster_freshness").tag("cluster", "cluster3").gauges()).hasSize(4);

        metrics.clusterStatus(status("cluster2"));
        metrics.propagation("cluster2", Stage.APPLIED, 1_000_000);
        assertThat(registry.get("mesh_agent_cluster_freshness").tags("cluster", "cluster2", "state", "fresh").gauge()
                .value()).isEqualTo(1);
        assertThat(registry.get("mesh_agent_propagation_stage").tags("cluster", "cluster2", "stage", "applied").timer()
                .count()).isEqualTo(1);
    }

    private static ClusterStatus status(String name) {
        return new ClusterStatus(name, 2, true, true, Set.of(), 1, 0, 0, "", Optional.empty(), Optional.empty(),
                Optional.empty(), Freshness.FRESH, "", 1, 1);
    }
}
