package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs each transaction in a fresh {@code nft -f -} process, the text streamed into its standard input while it
 * is rendered ({@link NftText#streaming}): nft parses the start of a 5 MB full sync while the rest is written.
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
        if (tx.isEmpty()) {
            return;
        }
        netns.run(List.of("nft", "-f", "-"), in -> {
            NftText text = NftText.streaming(in);
            NftBlock.file(tx, text);
            text.finish();
        }, timeout);
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
