package dev.clustermesh.agent.policy;

import dev.clustermesh.core.policy.PolicyOptions;
import java.time.Duration;

/**
 * The agent's policy configuration ({@code mesh.policy.*}).
 *
 * @param options compile options ({@code default-local-cluster})
 * @param syncWait the longest the first program waits for every cluster's endpoints ({@code sync-wait})
 * @param strict whether established connections a new program denies are cut ({@code strict})
 */
public record PolicySettings(PolicyOptions options, Duration syncWait, boolean strict) {
    /** The defaults: default-local-cluster, 60 s, not strict. */
    public static final PolicySettings DEFAULTS = new PolicySettings(PolicyOptions.DEFAULTS, Duration.ofSeconds(60));

    /** Not strict. */
    public PolicySettings(PolicyOptions options, Duration syncWait) {
        this(options, syncWait, false);
    }
}
