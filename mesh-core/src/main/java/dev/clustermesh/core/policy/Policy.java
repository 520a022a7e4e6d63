package dev.clustermesh.core.policy;

import java.util.List;
import java.util.Map;

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
        return selects(spec, pod, pod.selectionLabels(), policyCluster);
    }

    /** {@link #selects(PolicySpec, PolicyEndpoint, String)} with the pod's selection labels already computed. */
    public boolean selects(PolicySpec spec, PolicyEndpoint pod, Map<String, String> podLabels, String policyCluster) {
        return pod.cluster().equals(policyCluster) && pod.namespace().equals(ref.namespace())
                && spec.subject().matches(podLabels);
    }
}
