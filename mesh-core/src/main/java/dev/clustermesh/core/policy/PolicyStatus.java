package dev.clustermesh.core.policy;

import java.util.List;
import java.util.Optional;

/**
 * What became of one policy object: applied, or refused with its warnings (the status {@code meshctl policy list}
 * shows and the metric of policies with warnings counts).
 *
 * @param ref the object
 * @param policy the policy when applied, empty when refused
 * @param warnings every problem found; non-empty exactly when refused
 */
public record PolicyStatus(PolicyRef ref, Optional<Policy> policy, List<PolicyWarning> warnings) {
    public PolicyStatus {
        warnings = List.copyOf(warnings);
    }

    /** The two states a policy can be in. */
    public enum State {
        APPLIED, REFUSED
    }

    public State state() {
        return policy.isPresent() ? State.APPLIED : State.REFUSED;
    }
}
