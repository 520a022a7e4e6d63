package dev.clustermesh.agent.api;

import static dev.clustermesh.testing.mesh.SeedManifests.rebelBase;

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
 * What the agent under {@code @QuarkusTest} joins: cluster1 (a real etcd and mesh-proxy process exporting
 * rebel-base) through a valid config file, and a broken config file for "cluster9".
 */
public final class AgentTestEnvironment implements QuarkusTestResourceLifecycleManager {
    static volatile AgentTestEnvironment current;
    private Path dir;
    private LocalCluster cluster1;
    int apiPort;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("mesh-agent-test");
            CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
            Ca ca = certs.createCa("clustermesh-ca");
            cluster1 = LocalCluster.start("cluster1", 1, dir.resolve("cluster1"), ca, certs);
            cluster1.manifest("rebel-base.yaml", rebelBase(1, 2));
            Path clusters = dir.resolve("clusters");
            cluster1.joinFile("cluster1", clusters);
            Files.writeString(clusters.resolve("cluster9"), "endpoints: [\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        apiPort = FreePorts.next();
        current = this;
        return ServiceTestConfig.agent("cluster1", 1, dir.resolve("clusters"), apiPort);
    }

    @Override
    public void stop() {
        if (cluster1 != null) {
            cluster1.close();
        }
    }
}
