package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.DatapathException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Applies {@link NftTransaction}s to one network namespace's ruleset and reads objects back. Every implementation
 * keeps the same contract, checked by one contract test run against each of them (NftRunnerContract): a fresh
 * {@code nft -f -} per transaction ({@link NftFileRunner}), a long-lived {@code nft -i} ({@link NftSession}),
 * and an in-memory fake for unit tests.
 */
interface NftRunner extends AutoCloseable {
    /**
     * Applies {@code tx}, all of it or nothing; an empty transaction does nothing.
     *
     * @throws DatapathException when {@code tx} holds an invalid operation (its first problem; nothing is sent),
     *         when nft refused it (nft's error text; nothing was applied), or when nft could not run or did not
     *         answer in time (the outcome is then unknown: follow with a full sync)
     */
    void apply(NftTransaction tx);

    /**
     * Builds a transaction with {@code build} when the runner is ready to send it, and applies it as
     * {@link #apply(NftTransaction)} does: a runner that starts a process builds it while the process starts.
     * An invalid transaction is refused before any of it is sent.
     *
     * @return the transaction built
     */
    default NftTransaction apply(Supplier<NftTransaction> build) {
        NftTransaction tx = build.get();
        apply(tx);
        return tx;
    }

    /**
     * What {@code nft list WHAT...} prints, such as {@code list(List.of("set", "inet", "clustermesh", "digests4"))}.
     *
     * @throws DatapathException when nft cannot list it (for a missing object nft says "No such file or
     *         directory")
     */
    String list(List<String> what);

    /** Releases what the runner holds (a process); the ruleset stays as it is. */
    @Override
    void close();
}
