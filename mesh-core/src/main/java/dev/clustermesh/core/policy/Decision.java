package dev.clustermesh.core.policy;

import java.util.Optional;

/**
 * The outcome for one direction of one connection.
 *
 * @param allowed whether this direction lets the connection through
 * @param rule the rule that decided, empty when no rule did (no policy, or default deny)
 * @param reason a line for {@code meshctl policy explain}, e.g. "allowed by NetworkPolicy x/allow-a ingress[0]"
 */
public record Decision(boolean allowed, Optional<RuleRef> rule, String reason) {
    @Override
    public String toString() {
        return reason;
    }
}
