package dev.clustermesh.core.policy;

import java.util.List;

/** A policy that parsed without any warning, ready to be evaluated or compiled. */
public record Policy(PolicyRef ref, List<PolicySpec> specs) {
    public Policy {
        specs = List.copyOf(specs);
    }

    /**
     * Whether {@code spec}'s subject selects {@code pod} when the policy is held by {@code policyCluster}: only pods of
     * that cluster and of the policy's namespace are ever subjects.
     */
    public boolean selects(PolicySpec spec, PolicyEndpoint pod, String policyCluster) {
        return pod.cluster().equals(policyCluster) && pod.namespace().equals(ref.namespace())
                && spec.subject().matches(pod.selectionLabels());
    }
}
