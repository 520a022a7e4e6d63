package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link NftRunner}'s contract, kept by one long-lived {@code nft -i} in a namespace of its own; and the start-up
 * probe passes with the nft installed here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NftSessionIT extends NftRunnerContract {
    private NetnsLab lab;
    private String ns;
    private NftSession session;

    @BeforeAll
    void open() {
        lab = NetnsLab.open("cmt12s");
        ns = lab.namespace("nft");
        session = NftSession.interactive(NetworkNamespace.named(ns), Duration.ofSeconds(30));
    }

    @AfterAll
    void close() {
        if (session != null) {
            session.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Override
    protected NftRunner runner() {
        return session;
    }

    @Override
    protected void removeTable() {
        NetnsLab.tryExec(ns, "nft", "delete", "table", TABLE.family(), TABLE.name());
    }

    @Test
    void theInstalledNftPassesTheStartUpProbeAgainAfterARestart() {
        session.close();
        runner().apply(new NftTransaction(TABLE, java.util.List.of()).add(TABLE));
        assertThat(session.refused()).isFalse();
    }
}
