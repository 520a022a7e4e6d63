package dev.clustermesh.agent.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The campaign's quick mode in the test suite (issue 14): one epoch per fault kind, under churn, on three clusters
 * of real etcds, mesh-proxies, agents (nftables ones in node namespaces: needs root) and mesh-dns processes, with no
 * invariant violated. A fixed seed, so that a failure replays with
 * {@code bench/chaos.sh --quick --seed 14}; {@code bench/chaos.sh} runs random seeds.
 */
class ChaosQuickIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(420)
    void oneEpochOfEachFaultKindUnderChurnViolatesNoInvariant() throws Exception {
        ChaosReport r = new ChaosCampaign(ChaosCampaign.Settings.quick(14), System.out).run(dir);
        r.print(System.out);
        assertThat(r.faults()).as("every kind once").allSatisfy((kind, n) -> assertThat(n).isEqualTo(1))
                .hasSize(ChaosCampaign.Fault.values().length);
        assertThat(r.changes()).isPositive();
        assertThat(r.convergeMillis()).hasSize(ChaosCampaign.Fault.values().length);
        assertThat(r.violations()).as(String.join("\n", r.examples())).allSatisfy((k, v) -> assertThat(v).isZero());
    }
}
