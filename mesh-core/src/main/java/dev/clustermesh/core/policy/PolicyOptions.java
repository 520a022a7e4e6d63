package dev.clustermesh.core.policy;

/**
 * Settings that change what a policy means.
 *
 * @param defaultLocalCluster true (Cilium 1.19's default): a peer selector that does not name the cluster label
 *     selects only pods of the policy's own cluster; false: pods of any cluster (Cilium before 1.18)
 */
public record PolicyOptions(boolean defaultLocalCluster) {
    /** Cilium 1.19 defaults. */
    public static final PolicyOptions DEFAULTS = new PolicyOptions(true);
}
