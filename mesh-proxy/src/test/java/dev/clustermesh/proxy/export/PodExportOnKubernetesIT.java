package dev.clustermesh.proxy.export;

import static dev.clustermesh.proxy.export.Manifests.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Identity;
import dev.clustermesh.proxy.export.source.KubernetesSource;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.etcd.EtcdExtension;
import dev.clustermesh.testing.kube.ClusterSpec;
import dev.clustermesh.testing.kube.KubeCluster;
import dev.clustermesh.testing.kube.KubePeers;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter with the Kubernetes source on a real control plane (kube-apiserver, controller manager,
 * scheduler, kwok making pods Running with IPs) and a real etcd: pods become endpoints with identities, label
 * changes of a pod or its namespace make new identities, a deleted pod's key goes, a NetworkPolicy is exported,
 * and a CiliumNetworkPolicy once its CRD is installed (the exporter started without it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PodExportOnKubernetesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ENDPOINTS = "mesh/v1/endpoints/cluster1/";
    private static final String IDENTITIES = "mesh/v1/identities/cluster1/";
    private static final String POLICIES = "mesh/v1/local/policies/cluster1/";

    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    @TempDir
    static Path dir;

    private static KubeCluster kube;
    private static KubernetesClient k8s;
    private static Client etcd;
    private static Exporter exporter;
    private static final List<AutoCloseable> RESOURCES = new ArrayList<>();

    @BeforeAll
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    static void setUp() throws Exception {
        kube = KubeCluster.start(KubePeers.locate(), ClusterSpec.seed(1), dir.resolve("kube"));
        RESOURCES.add(kube);
        // Not auto-configured: a Quarkus test of the same JVM leaves kubernetes.* system properties pointing at
        // its fake API server, which auto-configuration would prefer.
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(kube.server())
                .withOauthToken(kube.adminToken()).withTrustCerts(true).build();
        k8s = new KubernetesClientBuilder().withConfig(config).build();
        RESOURCES.add(k8s);
        etcd = Client.builder().endpoints(ETCD.endpoint()).build();
        RESOURCES.add(etcd);
        exporter = Exporter.create(Manifests.settings("it", Duration.ofSeconds(5), Duration.ofSeconds(1)), etcd,
                new KubernetesSource(k8s, Duration.ofSeconds(1)), new SimpleMeterRegistry());
        RESOURCES.add(exporter);
        exporter.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (int i = RESOURCES.size() - 1; i >= 0; i--) {
            RESOURCES.get(i).close();
        }
    }

    @Test
    @Order(1)
    void podsBecomeEndpointsWithIdentitiesAndTheNetworkPolicyIsExported() throws Exception {
        apply("x.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: x
                  labels:
                    team: blue
                """);
        // The namespace's default ServiceAccount, which pod admission requires, comes from a controller.
        Eventually.await(WAIT, () -> kube.kubectl("get", "serviceaccount", "default", "-n", "x"));
        apply("pods.yaml", pod("a", "web") + "---\n" + pod("b", "web") + "---\n" + pod("c", "db") + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: web-from-db
                  namespace: x
                spec:
                  podSelector:
                    matchLabels:
                      app: web
                  ingress:
                  - from:
                    - podSelector:
                        matchLabels:
                          app: db
                    ports:
                    - port: 8080
                """);
        Eventually.await(WAIT, () -> {
            for (String pod : List.of("a", "b", "c")) {
                assertThat(endpoint(pod)).as("endpoint of %s", pod).isNotNull();
            }
        });
        Endpoint a = endpoint("a");
        assertThat(a.getNamespace()).isEqualTo("x");
        assertThat(a.getNode()).isEqualTo("cluster1-worker");
        assertThat(a.getNamespaceLabelsMap()).containsEntry("team", "blue");
        assertThat(a.getNamedPortsList()).singleElement().satisfies(p -> assertThat(p.getName()).isEqualTo("http"));
        assertThat(endpoint("b").getIdentity()).as("same labels, same identity").isEqualTo(a.getIdentity());
        assertThat(endpoint("c").getIdentity()).isNotEqualTo(a.getIdentity());
        assertThat(a.getIdentity() >>> 16).as("cluster ID in the high bits").isEqualTo(1);
        assertThat(identity(a.getIdentity()).getLabelsMap()).contains(entry("app", "web"),
                entry("io.cilium.k8s.policy.cluster", CLUSTER), entry("io.kubernetes.pod.namespace", "x"),
                entry("io.cilium.k8s.namespace.labels.team", "blue"),
                entry("io.cilium.k8s.policy.serviceaccount", "default"));

        JsonNode np = policy("networkpolicy/x/web-from-db");
        assertThat(fieldNames(np)).containsExactly("apiVersion", "kind", "metadata", "spec");
        assertThat(np.path("metadata").path("uid").asText()).isNotEmpty();
        assertThat(np.path("spec").path("podSelector").path("matchLabels").path("app").asText()).isEqualTo("web");
        for (ResourceKind kind : ResourceKind.values()) {
            assertThat(EtcdKeys.get(etcd, new MeshKey.Synced(CLUSTER, kind).key()))
                    .as("canary %s, also without the CiliumNetworkPolicy CRD", kind).isNotNull();
        }
    }

    @Test
    @Order(2)
    void aPodOrNamespaceLabelChangeIsANewIdentity() throws Exception {
        int web = endpoint("a").getIdentity();
        int db = endpoint("c").getIdentity();
        kube.kubectl("label", "pod", "a", "-n", "x", "app=api", "--overwrite");
        Eventually.await(WAIT, () -> assertThat(endpoint("a").getIdentity()).isNotIn(0, web, db));
        assertThat(identity(endpoint("a").getIdentity()).getLabelsMap()).containsEntry("app", "api");
        assertThat(endpoint("b").getIdentity()).isEqualTo(web);

        kube.kubectl("label", "namespace", "x", "team=red", "--overwrite");
        Eventually.await(WAIT, () -> assertThat(endpoint("b").getIdentity()).isNotEqualTo(web));
        Eventually.await(WAIT, () -> assertThat(identity(endpoint("b").getIdentity()).getLabelsMap())
                .containsEntry("io.cilium.k8s.namespace.labels.team", "red"));
        assertThat(endpoint("b").getNamespaceLabelsMap()).containsEntry("team", "red");
    }

    @Test
    @Order(3)
    void aDeletedPodsKeyGoesAndItsIdentityAfterTheGrace() throws Exception {
        String ip = ip("c");
        int db = endpoint("c").getIdentity();
        kube.kubectl("delete", "pod", "c", "-n", "x", "--grace-period=0", "--force");
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(etcd, ENDPOINTS + ip)).isNull());
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.get(etcd, IDENTITIES + db)).isNull());
    }

    @Test
    @Order(4)
    void aCiliumNetworkPolicyIsExportedOnceItsCrdIsInstalled() throws Exception {
        assertThat(EtcdKeys.policies(etcd, CLUSTER).keySet()).noneMatch(key -> key.contains("ciliumnetworkpolicy"));
        kube.kubectl("apply", "-f", resource("cilium/cnp-crd.yaml").toString());
        kube.kubectl("wait", "--for=condition=Established", "crd/ciliumnetworkpolicies.cilium.io", "--timeout=60s");
        Eventually.await(WAIT, () -> kube.kubectl("apply", "-n", "x", "-f", resource("cilium/cnp.yaml").toString()));
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.policies(etcd, CLUSTER))
                .containsKey(POLICIES + "ciliumnetworkpolicy/x/allow-cross-cluster"));
        JsonNode cnp = policy("ciliumnetworkpolicy/x/allow-cross-cluster");
        assertThat(cnp.path("apiVersion").asText()).isEqualTo("cilium.io/v2");
        assertThat(cnp.path("metadata").path("namespace").asText()).isEqualTo("x");
        assertThat(cnp.path("spec").path("ingress").get(0).path("toPorts").get(0).path("ports").get(0).path("port")
                .asText()).isEqualTo("80");

        kube.kubectl("delete", "ciliumnetworkpolicy", "allow-cross-cluster", "-n", "x");
        Eventually.await(WAIT, () -> assertThat(EtcdKeys.policies(etcd, CLUSTER))
                .doesNotContainKey(POLICIES + "ciliumnetworkpolicy/x/allow-cross-cluster")
                .containsKey(POLICIES + "networkpolicy/x/web-from-db"));
    }

    private static String pod(String name, String app) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: x
                  labels:
                    app: %s
                    pod-template-hash: %s
                spec:
                  nodeName: cluster1-worker
                  containers:
                  - name: main
                    image: registry.k8s.io/pause:3.10
                    ports:
                    - name: http
                      containerPort: 8080
                """.formatted(name, app, name);
    }

    private static void apply(String file, String yaml) throws Exception {
        Path p = dir.resolve(file);
        Files.writeString(p, yaml);
        Eventually.await(WAIT, () -> kube.kubectl("apply", "-f", p.toString()));
    }

    private static String ip(String pod) {
        return kube.kubectl("get", "pod", pod, "-n", "x", "-o", "jsonpath={.status.podIP}").strip();
    }

    private static Endpoint endpoint(String pod) throws Exception {
        String ip = ip(pod);
        return ip.isEmpty() ? null : (Endpoint) EtcdKeys.get(etcd, ENDPOINTS + ip);
    }

    private static Identity identity(int id) throws Exception {
        return (Identity) EtcdKeys.get(etcd, IDENTITIES + id);
    }

    private static JsonNode policy(String rest) throws Exception {
        return JsonMapper.builder().build().readTree(EtcdKeys.policies(etcd, CLUSTER).get(POLICIES + rest));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(PodExportOnKubernetesIT.class.getClassLoader().getResource(name).toURI());
    }
}
