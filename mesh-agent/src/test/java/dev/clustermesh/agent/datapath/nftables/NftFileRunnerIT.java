package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** {@link NftRunner}'s contract, kept by a fresh {@code nft -f -} per transaction, in a namespace of its own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NftFileRunnerIT extends NftRunnerContract {
    private NetnsLab lab;
    private String ns;
    private NftFileRunner runner;

    @BeforeAll
    void open() {
        lab = NetnsLab.open("cmt12f");
        ns = lab.namespace("nft");
        runner = new NftFileRunner(NetworkNamespace.named(ns), Duration.ofSeconds(30));
    }

    @AfterAll
    void close() {
        if (lab != null) {
            lab.close();
        }
    }

    @Override
    protected NftRunner runner() {
        return runner;
    }

    @Override
    protected void removeTable() {
        NetnsLab.tryExec(ns, "nft", "delete", "table", TABLE.family(), TABLE.name());
    }
}
