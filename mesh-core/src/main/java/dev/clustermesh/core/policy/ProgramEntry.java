package dev.clustermesh.core.policy;

/**
 * One datapath rule: peers × ports, and the policy rule it came from (the key for its packet counters). One policy
 * rule may yield several entries (one per peer kind and port clause), all with the same {@code rule}.
 */
public record ProgramEntry(RuleRef rule, PeerMatch peer, PortMatch port) {
    @Override
    public String toString() {
        return peer + " x " + port + " (" + rule + ")";
    }
}
