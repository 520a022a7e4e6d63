package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs each transaction in a fresh {@code nft -f -} process, the text streamed into its standard input while it
 * is rendered ({@link NftText#streaming}): nft starts and reads the start of a 5 MB full sync while the rest is
 * rendered. (nft 1.0.6 does the bulk of its work once its input has ended: text held back delays its result by as
 * much, measured; streaming saves the start-up and the reading, and keeping the whole text.)
 * Costs a process start, entering the namespace and nft's cache fetch per transaction (15–20 ms here), so it
 * carries full syncs, large deltas, and every delta when the {@link NftSession} cannot be used.
 */
final class NftFileRunner implements NftRunner {
    private final NetworkNamespace netns;
    private final Duration timeout;

    NftFileRunner(NetworkNamespace netns, Duration timeout) {
        this.netns = netns;
        this.timeout = timeout;
    }

    @Override
    public void apply(NftTransaction tx) {
        tx.ops();
        if (!tx.isEmpty()) {
            apply(() -> tx);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here nft starts first and the transaction is built while nft starts up (a full sync builds 130,000
     * operations); it is checked whole before the first byte is written, so an invalid one leaves nft with empty
     * input, which changes nothing.
     */
    @Override
    public NftTransaction apply(Supplier<NftTransaction> build) {
        NftTransaction[] built = new NftTransaction[1];
        netns.run(List.of("nft", "-f", "-"), in -> {
            built[0] = build.get();
            built[0].ops();
            NftText text = NftText.streaming(in);
            NftBlock.file(built[0], text);
            text.finish();
        }, timeout);
        return built[0];
    }

    @Override
    public String list(List<String> what) {
        return list(netns, what, timeout);
    }

    /** {@code nft list WHAT...} in {@code netns}, in a process of its own. */
    static String list(NetworkNamespace netns, List<String> what, Duration timeout) {
        List<String> argv = new ArrayList<>(List.of("nft", "list"));
        argv.addAll(what);
        return netns.run(argv, "", timeout);
    }

    /** Nothing to release: each transaction's process has ended. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "nft -f in " + netns;
    }
}
