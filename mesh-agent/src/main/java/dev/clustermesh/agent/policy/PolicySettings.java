package dev.clustermesh.agent.policy;

import dev.clustermesh.core.policy.PolicyOptions;
import java.time.Duration;

/**
 * The agent's policy configuration ({@code mesh.policy.*}).
 *
 * @param options compile options ({@code default-local-cluster})
 * @param syncWait the longest the first program waits for every cluster's endpoints ({@code sync-wait})
 */
public record PolicySettings(PolicyOptions options, Duration syncWait) {
    /** The defaults: default-local-cluster, 60 s. */
    public static final PolicySettings DEFAULTS = new PolicySettings(PolicyOptions.DEFAULTS, Duration.ofSeconds(60));
}
