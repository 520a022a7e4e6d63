package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeMeshHarness.held;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.etcd.Etcdctl;
import dev.clustermesh.testing.kube.ClusterSpec;
import dev.clustermesh.testing.kube.KubeCluster;
import dev.clustermesh.testing.kube.KubeMeshExtension;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What only a real API server shows about the exporter: EndpointSlices split over several slices, dual-stack
 * slices, an API server killed and restarted, a watch answered {@code 410 Gone} after etcd compaction (the
 * exporter partitioned from the API server meanwhile), and an update storm. Checked where a user sees it: in the
 * agents (cluster1's for what cluster2 exports; cluster2's own for the dual-stack service, which cluster1 does not
 * have locally) and in the mesh etcd. First, on the same two clusters, the Multi-Cluster Services API's cases
 * ({@link McsOnRealKubernetes}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExporterOnRealKubernetesIT extends McsOnRealKubernetes {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final KubeMeshExtension KUBE =
            new KubeMeshExtension(List.of(ClusterSpec.seed(1), ClusterSpec.dualStack(2)));

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    static void setUp() {
        mesh = new KubeMeshHarness(KUBE.mesh(), KUBE.dir());
        mesh.deployConnectedPair();
        for (String c : List.of("cluster1", "cluster2")) {
            mesh.apply(c, "big", big(c.equals("cluster1") ? 1 : 150));
        }
    }

    @AfterAll
    static void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
    }

    private static String agent(String cluster) {
        return mesh.site(cluster).agentAddress();
    }

    private static String big(int replicas) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: big
                  annotations:
                    service.cilium.io/global: "true"
                spec:
                  ports:
                  - port: 8080
                  selector:
                    app: big
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: big
                spec:
                  replicas: %d
                  selector:
                    matchLabels:
                      app: big
                  template:
                    metadata:
                      labels:
                        app: big
                    spec:
                      containers:
                      - name: big
                        image: registry.k8s.io/pause:3.10
                """.formatted(replicas);
    }

    /** cluster2's Running pods of big must be exactly cluster2's backends in cluster1's agent, each once. */
    private static void awaitCluster2Big(int replicas) {
        Eventually.await(WAIT, () -> {
            TreeSet<String> pods = mesh.podIps("cluster2", "app=big");
            assertThat(pods).hasSize(replicas);
            KubeMeshHarness.Held h = held(agent("cluster1"), "big");
            assertThat(h.all().get("cluster2")).isEqualTo(pods);
            assertThat(h.entries()).as("no backend twice").isEqualTo(replicas + 1);
        });
    }

    @Test
    @Order(41)
    void aServiceWhoseEndpointsSpanSeveralSlicesIsExportedWhole() {
        awaitCluster2Big(150);
        String slices = mesh.kube.cluster("cluster2").kubectl("get", "endpointslices", "-l",
                "kubernetes.io/service-name=big", "-o", "name");
        assertThat(slices.lines().count()).as("the EndpointSlice controller split 150 endpoints").isGreaterThan(1);
    }

    @Test
    @Order(42)
    void dualStackSlicesOfOneServiceAreBothExported() {
        mesh.apply("cluster2", "dual", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: dual
                  annotations:
                    service.cilium.io/global: "true"
                spec:
                  ipFamilyPolicy: RequireDualStack
                  ipFamilies: [IPv4, IPv6]
                  ports:
                  - name: http
                    port: 80
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: dual-v4
                  labels:
                    kubernetes.io/service-name: dual
                addressType: IPv4
                ports:
                - name: http
                  port: 80
                  protocol: TCP
                endpoints:
                - addresses: ["10.20.9.9"]
                  conditions: {ready: true}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: dual-v6
                  labels:
                    kubernetes.io/service-name: dual
                addressType: IPv6
                ports:
                - name: http
                  port: 80
                  protocol: TCP
                endpoints:
                - addresses: ["fd00:10:20::9"]
                  conditions: {ready: true}
                """);
        String ips = mesh.kube.cluster("cluster2").kubectl("get", "service", "dual", "-o",
                "jsonpath={.spec.clusterIPs}");
        assertThat(ips).contains(":").contains(".");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster2"), "dual").all())
                .isEqualTo(Map.of("cluster2", new TreeSet<>(List.of("10.20.9.9", "fd00:10:20::9")))));
    }

    @Test
    @Order(43)
    void aKilledAndRestartedApiServerLosesAndDuplicatesNothing() {
        KubeCluster two = mesh.kube.cluster("cluster2");
        two.restartApiServer();
        two.kubectl("scale", "deployment", "big", "--replicas=120");
        awaitCluster2Big(120);
    }

    @Test
    @Order(44)
    void aWatchAnsweredGoneAfterCompactionIsRelistedWithoutLosingOrKeepingAnything() {
        KubeCluster two = mesh.kube.cluster("cluster2");
        mesh.apply("cluster2", "doomed", "apiVersion: v1\nkind: Service\nmetadata:\n  name: doomed\n  annotations:\n"
                + "    service.cilium.io/global: \"true\"\nspec:\n  ports:\n  - port: 81\n");
        awaitExported("doomed", true);
        mesh.site("cluster2").apiRelay().cut();
        two.kubectl("scale", "deployment", "big", "--replicas=110");
        two.kubectl("delete", "service", "doomed");
        mesh.apply("cluster2", "born", "apiVersion: v1\nkind: Service\nmetadata:\n  name: born\n  annotations:\n"
                + "    service.cilium.io/global: \"true\"\nspec:\n  ports:\n  - port: 82\n");
        Eventually.await(WAIT, () -> assertThat(mesh.podIps("cluster2", "app=big")).hasSize(110));
        Etcdctl kubeEtcd = new Etcdctl(two.etcd().endpoint());
        Matcher rev = Pattern.compile("\"revision\":(\\d+)").matcher(kubeEtcd.run("get", "/", "-w", "json").output());
        assertThat(rev.find()).isTrue();
        assertThat(kubeEtcd.run("compact", rev.group(1)).exitCode()).isZero();
        // A fresh API server has no watch cache: the exporter's resourceVersion is now older than anything it holds.
        two.restartApiServer();
        mesh.site("cluster2").apiRelay().heal();
        awaitCluster2Big(110);
        awaitExported("doomed", false);
        awaitExported("born", true);
        assertThat(mesh.site("cluster2").proxy().log()).as("the exporter's informers were answered 410 Gone")
                .content().contains("Watch restarting due to http gone");
    }

    @Test
    @Order(45)
    void anUpdateStormOf200ScaleChangesIn10SecondsEndsInTheRightState() throws Exception {
        KubernetesClient k = mesh.site("cluster2").client();
        CountDownLatch sent = new CountDownLatch(200);
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try {
            List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            pace.scheduleAtFixedRate(() -> {
                if (sent.getCount() > 0) {
                    try {
                        k.apps().deployments().inNamespace("default").withName("big")
                                .scale(20 + (int) (sent.getCount() * 37 % 60));
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                    sent.countDown();
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            assertThat(sent.await(60, TimeUnit.SECONDS)).as("200 scale changes sent").isTrue();
            assertThat(failures).as("scale requests refused").isEmpty();
        } finally {
            pace.shutdownNow();
        }
        k.apps().deployments().inNamespace("default").withName("big").scale(42);
        awaitCluster2Big(42);
    }

    /** Waits until cluster2's mesh etcd holds (or lacks) the global service {@code name}. */
    private static void awaitExported(String name, boolean present) {
        Eventually.await(WAIT, () -> assertThat(mesh.site("cluster2").exportedServices()).as("exported services")
                .matches(s -> s.contains("default/" + name) == present, (present ? "contains " : "lacks ") + name));
    }
}
