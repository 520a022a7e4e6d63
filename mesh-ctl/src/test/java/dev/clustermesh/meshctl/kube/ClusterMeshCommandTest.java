package dev.clustermesh.meshctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.remote.RemoteClusterConfig;
import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.Pem;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * enable / connect / disconnect against Kubernetes test servers in CRUD mode, one per cluster, reached through a
 * kubeconfig with one context per cluster, as a user's would be.
 */
@QuarkusMainTest
@Timeout(180)
class ClusterMeshCommandTest {
    private static final String NS = "clustermesh-system";

    @TempDir
    Path dir;

    private final List<KubernetesMockServer> servers = new ArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private Path kubeconfig;
    private Path ca;

    @BeforeEach
    void clusters(QuarkusMainLauncher meshctl) throws Exception {
        StringBuilder clustersYaml = new StringBuilder();
        StringBuilder contexts = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(List.of()), false);
            server.init();
            servers.add(server);
            KubernetesClient client = server.createClient();
            clients.add(client);
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + i).endMetadata()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress("172.18.0." + (10 + i))
                    .endAddress().endStatus().build()).create();
            clustersYaml.append("- name: k").append(i).append("\n  cluster:\n    server: ")
                    .append(server.url("/")).append("\n");
            contexts.append("- name: ctx").append(i).append("\n  context:\n    cluster: k").append(i)
                    .append("\n    user: admin\n");
        }
        kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\nclusters:\n"
                + clustersYaml + "contexts:\n" + contexts + "users:\n- name: admin\n  user:\n    token: t\n"
                + "current-context: ctx1\n");
        // cluster1's proxy is reached on a pinned NodePort, cluster2's through a load balancer.
        clients.get(0).services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata()
                .withName("mesh-proxy").withNamespace(NS).endMetadata().withNewSpec().withType("NodePort")
                .addNewPort().withName("etcd-api").withPort(2379).withNodePort(32379).endPort().endSpec().build())
                .create();
        clients.get(1).services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata()
                .withName("mesh-proxy").withNamespace(NS).endMetadata().withNewSpec().withType("LoadBalancer")
                .addNewPort().withName("etcd-api").withPort(2379).endPort().endSpec().withNewStatus()
                .withNewLoadBalancer().addNewIngress().withIp("198.51.100.7").endIngress().endLoadBalancer()
                .endStatus().build()).create();
        ca = dir.resolve("pki");
        assertThat(meshctl.launch("ca", "create", "--dir", ca.toString()).exitCode()).isZero();
    }

    @AfterEach
    void stop() {
        clients.forEach(KubernetesClient::close);
        servers.forEach(KubernetesMockServer::destroy);
    }

    private LaunchResult run(QuarkusMainLauncher meshctl, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--kubeconfig");
        all.add(kubeconfig.toString());
        return meshctl.launch(all.toArray(String[]::new));
    }

    private LaunchResult enable(QuarkusMainLauncher meshctl, int ctx, String name, int id, String type) {
        return run(meshctl, "clustermesh", "enable", "--context", "ctx" + ctx, "--cluster-name", name,
                "--cluster-id", Integer.toString(id), "--service-type", type, "--ca-dir", ca.toString());
    }

    private Map<String, String> clustersSecret(int ctx) {
        Secret s = clients.get(ctx - 1).secrets().inNamespace(NS).withName("clustermesh-clusters").get();
        Map<String, String> out = new HashMap<>();
        s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
    }

    /** Mounts the clusters Secret as a directory, as the kubelet does, and reads one entry as the agent does. */
    private RemoteClusterConfig mounted(int ctx, String cluster) throws Exception {
        Path mount = Files.createDirectories(dir.resolve("mount-" + ctx));
        for (Map.Entry<String, String> e : clustersSecret(ctx).entrySet()) {
            Files.writeString(mount.resolve(e.getKey()), e.getValue());
        }
        return RemoteClusterConfig.read(mount.resolve(cluster));
    }

    @Test
    void enableThenConnectGivesEachClusterTheOtherWithARemoteIdentity(QuarkusMainLauncher meshctl) throws Exception {
        LaunchResult e1 = enable(meshctl, 1, "cluster1", 1, "NodePort");
        assertThat(e1.exitCode()).as(e1.getErrorOutput()).isZero();
        assertThat(e1.getOutput()).contains("ClusterMesh enabled in context ctx1 as cluster1 (id 1)");
        assertThat(enable(meshctl, 2, "cluster2", 2, "LoadBalancer").exitCode()).isZero();

        Secret tls = clients.get(0).secrets().inNamespace(NS).withName("mesh-proxy-tls").get();
        X509Certificate server = Pem.readCertificate(Files.writeString(dir.resolve("tls.crt"),
                new String(Base64.getDecoder().decode(tls.getData().get("tls.crt")), StandardCharsets.UTF_8)));
        assertThat(server.getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                .contains("172.18.0.11", "mesh-proxy.clustermesh-system.svc");
        assertThat(mounted(1, "cluster1").endpoints()).containsExactly("https://mesh-proxy.clustermesh-system.svc:2379");
        assertThat(clientCn(1, "cluster1")).isEqualTo("local-cluster1");

        LaunchResult connected = run(meshctl, "clustermesh", "connect", "--context", "ctx1", "--destination-context",
                "ctx2");
        assertThat(connected.exitCode()).as(connected.getErrorOutput()).isZero();
        assertThat(connected.getOutput()).contains("Connected cluster1 (id 1) and cluster2 (id 2)");

        assertThat(mounted(1, "cluster2").endpoints()).containsExactly("https://198.51.100.7:2379");
        assertThat(mounted(2, "cluster1").endpoints()).containsExactly("https://172.18.0.11:32379");
        assertThat(clientCn(1, "cluster2")).isEqualTo("remote-cluster1");
        assertThat(clientCn(2, "cluster1")).isEqualTo("remote-cluster2");
        X509Certificate caCert = Pem.readCertificate(ca.resolve("ca.crt"));
        assertThat(Certificates.signedBy(cert(2, "cluster1"), caCert)).isTrue();
        assertThat(clustersSecret(2)).containsKeys("cluster2", "cluster1", "cluster1.etcd-client.key");
        assertThat(accessList(1)).contains("clusters:\n- name: cluster2\n").doesNotContain("serials");
        assertThat(accessList(2)).contains("clusters:\n- name: cluster1\n");

        LaunchResult gone = run(meshctl, "clustermesh", "disconnect", "--context", "ctx2", "--destination-context",
                "ctx1");
        assertThat(gone.exitCode()).as(gone.getErrorOutput()).isZero();
        assertThat(clustersSecret(1)).containsOnlyKeys("cluster1", "cluster1.etcd-client-ca.crt",
                "cluster1.etcd-client.crt", "cluster1.etcd-client.key");
        assertThat(clustersSecret(2).keySet()).allMatch(k -> k.startsWith("cluster2"));
        assertThat(accessList(1)).contains("clusters: []");
        assertThat(accessList(2)).contains("clusters: []");

        LaunchResult pinned = run(meshctl, "clustermesh", "connect", "--context", "ctx1", "--destination-context",
                "ctx2", "--pin");
        assertThat(pinned.exitCode()).as(pinned.getErrorOutput()).isZero();
        assertThat(accessList(2)).contains("- name: cluster1\n  spki-sha256: [\""
                + dev.clustermesh.meshctl.pki.AccessLists.spki(cert(1, "cluster2")) + "\"]");
    }

    private String accessList(int ctx) {
        return clients.get(ctx - 1).configMaps().inNamespace(NS).withName("clustermesh-access").get().getData()
                .get("access.yaml");
    }

    @Test
    void duplicateNamesAndIdsAreRefusedBeforeAnythingIsWritten(QuarkusMainLauncher meshctl) {
        assertThat(enable(meshctl, 1, "cluster1", 1, "NodePort").exitCode()).isZero();
        assertThat(enable(meshctl, 2, "cluster2", 2, "LoadBalancer").exitCode()).isZero();
        assertThat(run(meshctl, "clustermesh", "connect", "--context", "ctx1", "--destination-context", "ctx2")
                .exitCode()).isZero();
        assertThat(enable(meshctl, 3, "cluster3", 2, "NodePort").exitCode()).isZero();

        LaunchResult dupId = run(meshctl, "clustermesh", "connect", "--context", "ctx3", "--destination-context",
                "ctx1", "--source-endpoint", "https://172.18.0.13:32379");
        assertThat(dupId.exitCode()).isEqualTo(1);
        assertThat(dupId.getErrorOutput().strip()).doesNotContain("\n").startsWith("Error: connecting cluster3 (id 2)")
                .contains("cluster2").contains("cluster3");
        assertThat(clustersSecret(3)).doesNotContainKey("cluster1");
        assertThat(clustersSecret(1)).doesNotContainKey("cluster3");

        LaunchResult rename = enable(meshctl, 1, "cluster1", 7, "NodePort");
        assertThat(rename.exitCode()).isEqualTo(1);
        assertThat(rename.getErrorOutput().strip()).isEqualTo("Error: context ctx1 is already enabled as cluster1 "
                + "(id 1); refusing to make it cluster1 (id 7) (a cluster's name and ID never change)");
    }

    @Test
    void sameNameDifferentCaAndUnreachableServicesAreRefused(QuarkusMainLauncher meshctl) {
        assertThat(enable(meshctl, 1, "cluster1", 1, "NodePort").exitCode()).isZero();
        assertThat(enable(meshctl, 3, "cluster1", 3, "ClusterIP").exitCode()).isZero();
        LaunchResult sameName = run(meshctl, "clustermesh", "connect", "--context", "ctx1", "--destination-context",
                "ctx3");
        assertThat(sameName.exitCode()).isEqualTo(1);
        assertThat(sameName.getErrorOutput()).contains("are both cluster 'cluster1'");

        Path otherCa = dir.resolve("other-pki");
        assertThat(meshctl.launch("ca", "create", "--dir", otherCa.toString()).exitCode()).isZero();
        LaunchResult foreign = run(meshctl, "clustermesh", "enable", "--context", "ctx1", "--cluster-name", "cluster1",
                "--cluster-id", "1", "--ca-dir", otherCa.toString());
        assertThat(foreign.exitCode()).isEqualTo(1);
        assertThat(foreign.getErrorOutput()).contains("already holds a different mesh CA");

        assertThat(enable(meshctl, 2, "cluster2", 2, "ClusterIP").exitCode()).isZero();
        LaunchResult clusterIp = run(meshctl, "clustermesh", "connect", "--context", "ctx1", "--destination-context",
                "ctx2");
        assertThat(clusterIp.exitCode()).isEqualTo(1);
        assertThat(clusterIp.getErrorOutput()).contains("Service mesh-proxy is ClusterIP, which other clusters cannot "
                + "reach");
    }

    @Test
    void reEnablingKeepsTheServiceTypeNamesALoadBalancerHostAndReplacesAHandMadeSecret(QuarkusMainLauncher meshctl)
            throws Exception {
        clients.get(1).services().inNamespace(NS).withName("mesh-proxy").edit(s -> new ServiceBuilder(s)
                .editStatus().editLoadBalancer().withIngress(new io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder()
                        .withHostname("mesh.lb.example.org").build()).endLoadBalancer().endStatus().build());
        clients.get(1).secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("mesh-proxy-tls").withNamespace(NS).endMetadata().withType("Opaque")
                .addToData("tls.crt", "").build()).create();

        LaunchResult e = run(meshctl, "clustermesh", "enable", "--context", "ctx2", "--cluster-name", "cluster2",
                "--cluster-id", "2", "--ca-dir", ca.toString());
        assertThat(e.exitCode()).as(e.getErrorOutput()).isZero();
        assertThat(e.getOutput()).contains("Service mesh-proxy (LoadBalancer)");
        assertThat(clients.get(1).services().inNamespace(NS).withName("mesh-proxy").get().getSpec().getType())
                .isEqualTo("LoadBalancer");
        Secret tls = clients.get(1).secrets().inNamespace(NS).withName("mesh-proxy-tls").get();
        assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
        X509Certificate server = Pem.readCertificate(Files.writeString(dir.resolve("lb.crt"),
                new String(Base64.getDecoder().decode(tls.getData().get("tls.crt")), StandardCharsets.UTF_8)));
        assertThat(server.getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                .contains("mesh.lb.example.org");

        LaunchResult self = run(meshctl, "clustermesh", "disconnect", "--context", "ctx2", "--destination-context",
                "ctx2");
        assertThat(self.exitCode()).isEqualTo(2);
        assertThat(clustersSecret(2)).containsKey("cluster2");
    }

    @Test
    void badFlagsContextsAndFilesAreOneLineErrors(QuarkusMainLauncher meshctl) {
        LaunchResult id = enable(meshctl, 1, "cluster1", 300, "NodePort");
        assertThat(id.exitCode()).isEqualTo(2);
        assertThat(id.getErrorOutput().strip()).startsWith("Error: --cluster-id: ").doesNotContain("\n");

        LaunchResult ctx = run(meshctl, "clustermesh", "enable", "--context", "nope", "--cluster-name", "c",
                "--cluster-id", "4", "--ca-dir", ca.toString());
        assertThat(ctx.exitCode()).isEqualTo(1);
        assertThat(ctx.getErrorOutput().strip()).isEqualTo("Error: context 'nope' is not in kubeconfig " + kubeconfig);

        LaunchResult notEnabled = run(meshctl, "clustermesh", "connect", "--context", "ctx1", "--destination-context",
                "ctx2");
        assertThat(notEnabled.exitCode()).isEqualTo(1);
        assertThat(notEnabled.getErrorOutput()).contains("context ctx1: ClusterMesh is not enabled");

        LaunchResult type = enable(meshctl, 1, "cluster1", 1, "Ingress");
        assertThat(type.exitCode()).isEqualTo(2);
        assertThat(type.getErrorOutput().strip()).doesNotContain("\n").contains("'Ingress'");

        LaunchResult file = meshctl.launch("clustermesh", "connect", "--context", "a", "--destination-context", "b",
                "--kubeconfig", dir.resolve("missing").toString());
        assertThat(file.exitCode()).isEqualTo(1);
        assertThat(file.getErrorOutput()).contains("cannot read kubeconfig " + dir.resolve("missing"));
    }

    private X509Certificate cert(int ctx, String cluster) {
        try {
            return Pem.readCertificate(Files.writeString(dir.resolve("c" + ctx + cluster + ".crt"),
                    clustersSecret(ctx).get(cluster + ".etcd-client.crt")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String clientCn(int ctx, String cluster) {
        return Certificates.commonName(cert(ctx, cluster));
    }

    /** The applied overlay's mesh-proxy, as {@code kubectl apply -k} leaves it: identity in an envFrom ConfigMap. */
    private void overlayProxy(int ctx, String name, String id) {
        KubernetesClient k = clients.get(ctx - 1);
        k.configMaps().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                .withName("mesh-cluster-abc123").withNamespace(NS).endMetadata().addToData("MESH_CLUSTER_NAME", name)
                .addToData("MESH_CLUSTER_ID", id).build()).create();
        k.apps().deployments().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata().withName("mesh-proxy").withNamespace(NS).endMetadata().withNewSpec().withReplicas(2)
                .withNewTemplate().withNewSpec().addNewContainer().withName("mesh-proxy").addNewEnvFrom()
                .withNewConfigMapRef().withName("mesh-cluster-abc123").endConfigMapRef().endEnvFrom().endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    @Test
    void enableWithoutNameAndIdTakesThemFromTheAppliedOverlayAndRefusesFlagsThatDisagree(QuarkusMainLauncher meshctl) {
        LaunchResult none = run(meshctl, "clustermesh", "enable", "--context", "ctx1", "--ca-dir", ca.toString());
        assertThat(none.exitCode()).isNotZero();
        assertThat(none.getErrorOutput()).contains("give --cluster-name and --cluster-id, or apply the cluster's overlay");

        overlayProxy(1, "cluster7", "7");
        LaunchResult other = run(meshctl, "clustermesh", "enable", "--context", "ctx1", "--cluster-name", "cluster8",
                "--ca-dir", ca.toString());
        assertThat(other.exitCode()).isNotZero();
        assertThat(other.getErrorOutput()).contains("the applied overlay's mesh-proxy runs as cluster7 (id 7)",
                "not cluster8 (id 7)");
        assertThat(clients.get(0).secrets().inNamespace(NS).withName("clustermesh-clusters").get()).isNull();

        LaunchResult fromOverlay = run(meshctl, "clustermesh", "enable", "--context", "ctx1", "--ca-dir", ca.toString());
        assertThat(fromOverlay.exitCode()).as(fromOverlay.getErrorOutput()).isZero();
        assertThat(fromOverlay.getOutput()).contains("enabled in context ctx1 as cluster7 (id 7)");
        assertThat(clustersSecret(1)).containsKey("cluster7");
    }

    @Test
    void statusNamesWhatIsMissingAndWaitFailsWithIt(QuarkusMainLauncher meshctl) {
        LaunchResult notEnabled = run(meshctl, "clustermesh", "status", "--context", "ctx1");
        assertThat(notEnabled.exitCode()).isEqualTo(1);
        assertThat(notEnabled.getErrorOutput()).contains("ClusterMesh is not enabled");

        assertThat(enable(meshctl, 1, "cluster1", 1, "NodePort").exitCode()).isZero();
        assertThat(enable(meshctl, 2, "cluster2", 2, "LoadBalancer").exitCode()).isZero();
        assertThat(run(meshctl, "clustermesh", "connect", "--context", "ctx1", "--destination-context", "ctx2")
                .exitCode()).isZero();
        LaunchResult look = run(meshctl, "clustermesh", "status", "--context", "ctx1");
        assertThat(look.exitCode()).as(look.getErrorOutput()).isZero();
        assertThat(look.getOutput()).contains("Cluster:        cluster1 (id 1)", "Connected to:   cluster2 (id 2)",
                "other clusters dial https://172.18.0.11:32379", "Not ready: no mesh-proxy replica ready",
                "no DaemonSet mesh-agent").doesNotContain("⚠️  certificate");
        // Certificates issued for 365 days: no warning within 30 days, one line per certificate within 400.
        LaunchResult soon = run(meshctl, "clustermesh", "status", "--context", "ctx1", "--certificate-warning", "400d");
        assertThat(soon.getOutput()).contains("⚠️  certificate CN=mesh-proxy.cluster1 (serial ",
                "in Secret mesh-proxy-tls (tls.crt) expires in 36", "in Secret clustermesh-clusters "
                        + "(cluster2.etcd-client.crt)", "⚠️  certificate CN=remote-cluster1");

        LaunchResult waited = run(meshctl, "clustermesh", "status", "--context", "ctx1", "--wait", "--timeout", "1s");
        assertThat(waited.exitCode()).isEqualTo(1);
        assertThat(waited.getErrorOutput()).contains("is not ready after 1.0s", "no mesh-proxy replica ready");
    }
}
