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
 * rebel-base, and the pods and policies of {@link #SHOP}) through a valid config file, and a broken config file for
 * "cluster9".
 */
public final class AgentTestEnvironment implements QuarkusTestResourceLifecycleManager {
    /**
     * Three pods in namespace shop; allow-client lets client (not other) reach web on 80/TCP; l7 is refused (an
     * HTTP rule) with a warning.
     */
    static final String SHOP = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec: {nodeName: node-1, containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
            status: {phase: Running, podIP: 10.10.2.1, podIPs: [{ip: 10.10.2.1}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: shop, labels: {app: client}}
            spec: {nodeName: node-1, containers: [{name: client, image: curl}]}
            status: {phase: Running, podIP: 10.10.2.2, podIPs: [{ip: 10.10.2.2}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: other, namespace: shop, labels: {app: other}}
            spec: {nodeName: node-1, containers: [{name: other, image: curl}]}
            status: {phase: Running, podIP: 10.10.2.3, podIPs: [{ip: 10.10.2.3}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-client, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: client}}}]
                ports: [{port: 80, protocol: TCP}]
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: l7, namespace: shop}
            spec:
              endpointSelector: {matchLabels: {app: web}}
              ingress:
              - toPorts: [{ports: [{port: "80"}], rules: {http: [{method: GET}]}}]
            """;
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
            cluster1.manifest("shop.yaml", SHOP);
            Path clusters = dir.resolve("clusters");
            cluster1.joinFile("cluster1", clusters);
            Files.writeString(clusters.resolve("cluster9"), "endpoints: [\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        apiPort = FreePorts.next();
        current = this;
        Map<String, String> config = new java.util.HashMap<>(ServiceTestConfig.agent("cluster1", 1,
                dir.resolve("clusters"), apiPort));
        // cluster9's broken file never syncs its endpoints: without this the first policy program waits 60 s.
        config.put("mesh.policy.sync-wait", "3s");
        return config;
    }

    @Override
    public void stop() {
        if (cluster1 != null) {
            cluster1.close();
        }
    }
}
