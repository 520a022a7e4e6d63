package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.nftables.NftPolicy.Desired;
import dev.clustermesh.agent.policy.PolicyDatapath;
import dev.clustermesh.core.policy.PolicyProgram;
import java.time.Duration;

/**
 * Enforces policy programs in table {@code inet clustermesh_policy} of one network namespace: the first apply
 * (and every one after a failure) replaces the table, the others apply what differs from the last program, each
 * as one {@code nft -f -} transaction. Policy changes are few next to service changes, so no {@code nft -i}
 * session is kept for them.
 */
public final class NftPolicyDatapath implements PolicyDatapath {
    private final NftFileRunner runner;
    /** What the table holds; null when unknown (never applied, or the last apply failed). */
    private Desired have;

    public NftPolicyDatapath(NetworkNamespace netns) {
        this.runner = new NftFileRunner(netns, Duration.ofSeconds(120));
    }

    @Override
    public synchronized void apply(PolicyProgram program, boolean fullSync) {
        Desired want = NftPolicy.render(program);
        NftTransaction tx = fullSync || have == null ? NftPolicyDiff.full(want) : NftPolicyDiff.between(have, want);
        have = null;
        runner.apply(tx);
        have = want;
    }

    @Override
    public void close() {
        runner.close();
    }
}
