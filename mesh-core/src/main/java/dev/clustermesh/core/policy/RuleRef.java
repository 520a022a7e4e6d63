package dev.clustermesh.core.policy;

/**
 * Names one rule of a policy, stable across recompilations of an unchanged policy, so a datapath can key its
 * counters on it and {@code explain} can print it.
 *
 * @param policy the policy
 * @param section where the rule list sits, e.g. {@code ingress}, {@code egressDeny}, {@code specs[1].ingress}
 * @param index the rule's index in that list
 */
public record RuleRef(PolicyRef policy, String section, int index) {
    /** {@code NetworkPolicy x/allow-a ingress[0]}. */
    @Override
    public String toString() {
        return policy + " " + section + "[" + index + "]";
    }
}
