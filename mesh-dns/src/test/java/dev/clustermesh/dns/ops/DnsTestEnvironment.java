package dev.clustermesh.dns.ops;

import dev.clustermesh.testing.mesh.Manifests;
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
import java.util.List;
import java.util.Map;

/**
 * What mesh-dns under {@code @QuarkusTest} joins: cluster1, a real etcd and mesh-proxy process exporting
 * rebel-base, through the config file an agent of cluster1 would use; DNS on a free port.
 */
public final class DnsTestEnvironment implements QuarkusTestResourceLifecycleManager {
    static volatile int dnsPort;
    private LocalCluster cluster1;

    @Override
    public Map<String, String> start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("mesh-dns-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("clustermesh-ca");
        cluster1 = LocalCluster.start("cluster1", 1, dir.resolve("cluster1"), ca, certs);
        cluster1.manifest("rebel-base.yaml", Manifests.service("rebel-base", "10.11.0.10",
                List.of(new Manifests.Port("http", 80, "TCP")), List.of(new Manifests.Endpoint("10.10.1.1", null))));
        cluster1.joinFile("cluster1", dir.resolve("clusters"));
        dnsPort = FreePorts.next();
        Map<String, String> config = ServiceTestConfig.joining("cluster1", dir.resolve("clusters"));
        config.put("mesh.dns.host", "127.0.0.1");
        config.put("mesh.dns.port", Integer.toString(dnsPort));
        config.put("mesh.dns.udp-sockets", "2");
        return config;
    }

    @Override
    public void stop() {
        if (cluster1 != null) {
            cluster1.close();
        }
    }
}
