package dev.clustermesh.core.policy;

import java.util.List;

/**
 * One allow or deny rule: traffic matches when its peer is one of {@code peers} (or any peer when {@code anyPeer})
 * and its port matches one of {@code ports} (or any port when {@code ports} is empty).
 *
 * @param ref the rule's stable name
 * @param direction ingress (peer is the source) or egress (peer is the destination)
 * @param deny true for Cilium {@code ingressDeny}/{@code egressDeny}
 * @param anyPeer true when the rule does not restrict the peer at all, which also matches {@link Identities#UNKNOWN}
 * @param peers the peers when {@code anyPeer} is false; empty then means the rule matches nothing
 * @param ports the port clauses, empty for every port and protocol
 */
public record Rule(RuleRef ref, Direction direction, boolean deny, boolean anyPeer, List<Peer> peers,
                   List<PortRule> ports) {
    public Rule {
        peers = List.copyOf(peers);
        ports = List.copyOf(ports);
    }
}
