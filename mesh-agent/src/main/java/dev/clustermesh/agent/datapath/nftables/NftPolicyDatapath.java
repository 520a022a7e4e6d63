package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.nftables.NftPolicy.Desired;
import dev.clustermesh.agent.policy.PolicyCounter;
import dev.clustermesh.agent.policy.PolicyDatapath;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.RuleRef;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Enforces policy programs in table {@code inet clustermesh_policy} of one network namespace: the first apply
 * (and every one after a failure) replaces the table, the others apply what differs from the last program. Large
 * transactions go through a fresh {@code nft -f -}; small ones, above all pods of known identities coming and
 * going ({@link #applyAddresses}), through a long-lived {@code nft -i} session, which does not load the table
 * again for each change (a fresh nft reads the whole ruleset, megabytes with thousands of pods, before applying).
 */
public final class NftPolicyDatapath implements PolicyDatapath {
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);
    /** Transactions of at most this many operations go through the {@code nft -i} session. */
    private static final int SMALL = 256;
    private final NetworkNamespace netns;
    private final NftFileRunner runner;
    private final NftSession session;
    private final NftSessionFallback sessionOrFile;
    /** What the table holds; null when unknown (never applied, or the last apply failed). */
    private Desired have;
    /** The rule comments of the table last applied, for {@link #counters()}; null before the first apply. */
    private volatile Map<String, RuleRef> ruleComments;
    private final NftPolicyCounters counted = new NftPolicyCounters();

    public NftPolicyDatapath(NetworkNamespace netns) {
        this.netns = netns;
        this.runner = new NftFileRunner(netns, Duration.ofSeconds(120));
        this.session = NftSession.interactive(netns, SESSION_TIMEOUT);
        this.sessionOrFile = new NftSessionFallback(session, runner, "policy changes in " + netns);
    }

    @Override
    public synchronized void apply(PolicyProgram program, boolean fullSync) {
        Desired before = fullSync ? null : have;
        have = null;
        Desired want;
        if (before == null && program.ipIdentities().size() > SMALL) {
            // A large table made anew (an element per address at least), in a fresh nft: it starts (process,
            // namespace) while the table is rendered.
            Desired[] rendered = new Desired[1];
            runner.apply(() -> {
                rendered[0] = NftPolicy.render(program);
                return NftPolicyDiff.full(rendered[0]);
            });
            want = rendered[0];
        } else {
            want = NftPolicy.render(program);
            transact(before == null ? NftPolicyDiff.full(want) : NftPolicyDiff.between(before, want));
        }
        have = want;
        ruleComments = want.ruleComments();
    }

    @Override
    public synchronized void applyAddresses(PolicyProgram program, Map<InetAddress, Integer> removed,
            Map<InetAddress, Integer> added) {
        if (have == null) {
            apply(program, true);
            return;
        }
        Desired table = have;
        NftTransaction tx = NftPolicyAddresses.between(table, removed, added);
        have = null;
        transact(tx);
        NftPolicyAddresses.record(table, removed, added);
        have = table;
    }

    private void transact(NftTransaction tx) {
        if (!tx.isEmpty()) {
            sessionOrFile.apply(tx, tx.size() <= SMALL);
        }
    }

    /** Replaces the {@code nft -i} process once it has run its share of transactions ({@link NftSession}). */
    @Override
    public synchronized void idle() {
        session.refresh();
    }

    /** Deletes the conntrack entries of the node's connections {@code program} denies (strict mode). */
    @Override
    public int cutDenied(PolicyProgram program) {
        return NftConntrack.cutDenied(netns, program, SESSION_TIMEOUT);
    }

    /**
     * Reads the counters with {@code nft -t list table} (without set contents), in a process of its own; totals
     * since this datapath started, growing only (see {@link NftPolicyCounters}).
     */
    @Override
    public List<PolicyCounter> counters() {
        Map<String, RuleRef> keys = ruleComments;
        if (keys == null) {
            return List.of();
        }
        String listing = netns.run(List.of("nft", "-t", "list", "table", NftPolicy.TABLE.family(),
                NftPolicy.TABLE.name()), "", SESSION_TIMEOUT);
        synchronized (counted) {
            return counted.add(listing, keys);
        }
    }

    @Override
    public synchronized void close() {
        session.close();
        runner.close();
    }
}
