package dev.clustermesh.agent.api;

import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.remote.ClusterStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per cluster, the pods and identities known to the last policy program: {@code mesh_agent_policy_cluster_endpoints}
 * and {@code mesh_agent_policy_cluster_identities}, tagged {@code cluster}. An identity belongs to the cluster whose
 * ID is its upper 16 bits ({@code core.policy.Identities}). A cluster's gauges are registered the first time its
 * status is reported; they read 0 until its ID is known and after it is removed.
 */
final class PolicyClusterGauges {
    private static final long[] NONE = {0, 0};
    private final AgentCore core;
    private final MeterRegistry registry;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    // Guarded by this: the counts of the program last counted, recounted when the program changes.
    private PolicyProgram counted;
    private Map<Integer, long[]> counts = Map.of();

    PolicyClusterGauges(AgentCore core, MeterRegistry registry) {
        this.core = core;
        this.registry = registry;
    }

    /** Registers {@code cluster}'s gauges once; later calls do nothing. */
    void register(String cluster) {
        if (!registered.add(cluster)) {
            return;
        }
        Gauge.builder("mesh_agent_policy_cluster_endpoints", this, g -> g.count(cluster, 0)).tag("cluster", cluster)
                .description("Pod addresses of this cluster known to policy").register(registry);
        Gauge.builder("mesh_agent_policy_cluster_identities", this, g -> g.count(cluster, 1)).tag("cluster", cluster)
                .description("Identities of this cluster known to policy").register(registry);
    }

    private double count(String cluster, int which) {
        ClusterStatus s = core.clusters().get(cluster);
        if (s == null || s.id() == 0) {
            return 0;
        }
        return countsOf(core.policy().state().program()).getOrDefault(s.id(), NONE)[which];
    }

    private synchronized Map<Integer, long[]> countsOf(PolicyProgram program) {
        if (program != counted) {
            Map<Integer, long[]> out = new HashMap<>();
            Set<Integer> seen = new HashSet<>();
            program.ipIdentities().values().forEach(identity -> {
                long[] c = out.computeIfAbsent(identity >>> 16, k -> new long[2]);
                c[0]++;
                if (seen.add(identity)) {
                    c[1]++;
                }
            });
            counts = out;
            counted = program;
        }
        return counts;
    }
}
