package dev.clustermesh.core.policy;

import java.util.List;

/**
 * The part of a policy with one subject: a NetworkPolicy has one, a CiliumNetworkPolicy one per {@code spec} and
 * {@code specs[i]}.
 *
 * @param subject selects the pods the rules apply to, among pods of the policy's namespace in the policy's cluster
 * @param enforcesIngress whether selected pods become isolated for ingress (default deny)
 * @param enforcesEgress whether selected pods become isolated for egress
 * @param rules allow and deny rules of both directions
 */
public record PolicySpec(LabelSelector subject, boolean enforcesIngress, boolean enforcesEgress, List<Rule> rules) {
    public PolicySpec {
        rules = List.copyOf(rules);
    }

    /** Whether selected pods are isolated for {@code direction}. */
    public boolean enforces(Direction direction) {
        return direction == Direction.INGRESS ? enforcesIngress : enforcesEgress;
    }
}
