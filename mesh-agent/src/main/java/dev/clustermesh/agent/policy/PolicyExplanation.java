package dev.clustermesh.agent.policy;

import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.Protocol;
import dev.clustermesh.core.policy.Verdict;

/**
 * Why one connection is allowed or denied, as far as this agent knows: {@link PolicySnapshot#explain}'s answer.
 *
 * @param source the source pod
 * @param destination the destination pod
 * @param port the destination port
 * @param protocol the protocol
 * @param verdict egress and ingress, each with the rule that decided or why none did; {@link Verdict#allowed()} is
 *     true when no direction known here denies the connection
 * @param egressKnown egress is decided by this cluster's policies (the source is a local pod)
 * @param ingressKnown ingress is decided by this cluster's policies (the destination is a local pod); a direction
 *     not known here carries a reason naming the cluster that decides it
 */
public record PolicyExplanation(PolicyEndpoint source, PolicyEndpoint destination, int port, Protocol protocol,
                                Verdict verdict, boolean egressKnown, boolean ingressKnown) {
    /** True when both directions are decided here, so {@link Verdict#allowed()} is the connection's fate. */
    public boolean complete() {
        return egressKnown && ingressKnown;
    }
}
