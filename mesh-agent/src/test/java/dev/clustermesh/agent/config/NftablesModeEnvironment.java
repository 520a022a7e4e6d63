package dev.clustermesh.agent.config;

import static dev.clustermesh.testing.mesh.SeedManifests.rebelBase;

import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.mesh.ServiceTestConfig;
import dev.clustermesh.testing.mesh.LocalCluster;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the agent under {@code @QuarkusTest} with {@code mesh.datapath.mode=nftables} programs and joins: a network
 * namespace standing for cluster1's node (underlay {@code 192.168.1.2/16} on a veth, so that native
 * routes via cluster2's node are valid), and cluster1 and cluster2, each a real etcd and mesh-proxy process
 * exporting the seed's rebel-base.
 */
public final class NftablesModeEnvironment implements QuarkusTestResourceLifecycleManager {
    static volatile NftablesModeEnvironment current;
    private final LocalCluster[] clusters = new LocalCluster[3];
    private NetnsLab lab;
    private String node;

    @Override
    public Map<String, String> start() {
        Path dir;
        try {
            lab = NetnsLab.open("cmt5q");
            node = lab.namespace("node");
            // A veth pair inside the namespace (no dummy module here): ul0 carries the underlay address.
            NetnsLab.exec(node, "ip", "link", "add", "ul0", "type", "veth", "peer", "name", "ul1");
            NetnsLab.exec(node, "ip", "addr", "add", "192.168.1.2/16", "dev", "ul0");
            NetnsLab.exec(node, "ip", "link", "set", "ul1", "up");
            NetnsLab.exec(node, "ip", "link", "set", "ul0", "up");
            dir = Files.createTempDirectory("mesh-agent-nft-test");
            CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
            Ca ca = certs.createCa("clustermesh-ca");
            for (int c = 1; c <= 2; c++) {
                clusters[c] = LocalCluster.start("cluster" + c, c, dir.resolve("cluster" + c), ca, certs);
                clusters[c].manifest("rebel-base.yaml", rebelBase(c, 2));
                clusters[c].joinFile("cluster1", dir.resolve("clusters"));
            }
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        current = this;
        Map<String, String> config = ServiceTestConfig.agent("cluster1", 1, dir.resolve("clusters"), FreePorts.next());
        config.put("mesh.datapath.mode", "nftables");
        config.put("mesh.datapath.netns", node);
        config.put("mesh.datapath.routing.mode", "native");
        return config;
    }

    /** The namespace the agent programs. */
    String node() {
        return node;
    }

    @Override
    public void stop() {
        for (LocalCluster c : clusters) {
            if (c != null) {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    // Keep closing the rest.
                }
            }
        }
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }
}
