package dev.clustermesh.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.policy.PolicyCounter;
import dev.clustermesh.agent.policy.PolicyDatapath;
import dev.clustermesh.core.policy.PolicyProgram;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-policy packet and byte series: what the datapath counts, and only while it counts it. */
class PolicyCounterMetricsTest {

    @Test
    void aPolicyTheDatapathNoLongerCountsLosesItsSeriesAndAFailedReadKeepsTheLastValues() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountingDatapath datapath = new CountingDatapath();
        try (PolicyCounterMetrics metrics = new PolicyCounterMetrics(datapath, registry)) {
            datapath.counters = List.of(new PolicyCounter("NetworkPolicy x/a", "ingress", "allowed", 12, 660),
                    new PolicyCounter(PolicyCounter.DEFAULT_DENY, "ingress", "denied", 6, 360));
            metrics.refresh();
            assertThat(packets(registry, "NetworkPolicy x/a")).isEqualTo(12);
            assertThat(registry.find("mesh_agent_policy_bytes").tag("policy", "NetworkPolicy x/a").functionCounter()
                    .count()).isEqualTo(660);

            datapath.failing = true;
            metrics.refresh();
            assertThat(packets(registry, "NetworkPolicy x/a")).as("a failed read keeps the last values").isEqualTo(12);
            assertThat(registry.find("mesh_agent_policy_counter_read_failures").counter().count()).isEqualTo(1);

            // x/a deleted: the datapath no longer counts it.
            datapath.failing = false;
            datapath.counters = List.of(new PolicyCounter(PolicyCounter.DEFAULT_DENY, "ingress", "denied", 8, 480));
            metrics.refresh();
            assertThat(registry.find("mesh_agent_policy_packets").tag("policy", "NetworkPolicy x/a").functionCounters())
                    .isEmpty();
            assertThat(registry.find("mesh_agent_policy_bytes").tag("policy", "NetworkPolicy x/a").functionCounters())
                    .isEmpty();
            assertThat(packets(registry, PolicyCounter.DEFAULT_DENY)).isEqualTo(8);

            // Back (a policy of that name again): a new series from what the datapath counts now.
            datapath.counters = List.of(new PolicyCounter("NetworkPolicy x/a", "ingress", "allowed", 1, 60),
                    new PolicyCounter(PolicyCounter.DEFAULT_DENY, "ingress", "denied", 8, 480));
            metrics.refresh();
            assertThat(packets(registry, "NetworkPolicy x/a")).isEqualTo(1);
        }
    }

    private static double packets(SimpleMeterRegistry registry, String policy) {
        FunctionCounter c = registry.find("mesh_agent_policy_packets").tag("policy", policy).functionCounter();
        assertThat(c).as("series of %s", policy).isNotNull();
        return c.count();
    }

    /** Counts what the test says, or fails to read while {@link #failing}. */
    private static final class CountingDatapath implements PolicyDatapath {
        volatile List<PolicyCounter> counters = List.of();
        volatile boolean failing;

        @Override
        public void apply(PolicyProgram program, boolean fullSync) {
        }

        @Override
        public List<PolicyCounter> counters() {
            if (failing) {
                throw new IllegalStateException("nft list failed (test)");
            }
            return counters;
        }
    }
}
