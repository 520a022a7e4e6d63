package dev.clustermesh.agent.config;

import static dev.clustermesh.testing.mesh.SeedManifests.clusterIp;
import static dev.clustermesh.testing.mesh.SeedManifests.podIp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.agent.datapath.nftables.NftablesDatapath;
import dev.clustermesh.testing.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged configuration path of the nftables datapath: {@code mesh.datapath.mode=nftables},
 * {@code mesh.datapath.netns} and {@code mesh.datapath.routing.mode=native} given to the Quarkus application
 * program the kernel of that namespace from the mesh the agent joins.
 */
@QuarkusTest
@QuarkusTestResource(value = NftablesModeEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class NftablesModeIT {
    private static final Duration WAIT = Duration.ofSeconds(45);

    @Inject
    Datapath datapath;

    @Test
    void theConfiguredNamespaceGetsTheTableAndTheRoutes() {
        String node = NftablesModeEnvironment.current.node();
        assertThat(datapath).isInstanceOf(NftablesDatapath.class);
        assertThat(((NftablesDatapath) datapath).netns().name()).contains(node);
        Eventually.await(WAIT, () -> {
            assertThat(NetnsLab.exec(node, "nft", "list", "map", "inet", "clustermesh", "services4"))
                    .contains(clusterIp(1) + " . tcp . 80 : goto lb4_tcp_4");
            assertThat(NetnsLab.exec(node, "nft", "list", "map", "inet", "clustermesh", "backends4_tcp"))
                    .contains(podIp(1, 1), podIp(1, 2), podIp(2, 1), podIp(2, 2));
            assertThat(NetnsLab.exec(node, "ip", "route", "show", "proto", "201"))
                    .contains("10.20.1.0/24 via 192.168.2.2", "10.21.0.0/16 via 192.168.2.2");
            assertThat(NetnsLab.exec(node, "nft", "list", "set", "inet", "clustermesh", "remote_pods4"))
                    .contains("10.20.1.0/24");
        });
    }
}
