package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeMeshHarness.held;
import static dev.clustermesh.meshctl.kube.KubeMeshHarness.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.demo.MeshctlProcess;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.kube.ClusterSpec;
import dev.clustermesh.testing.kube.KubeMeshExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's walk-through on real Kubernetes: three real control planes (kube-apiserver, controller-manager,
 * scheduler, kwok nodes) with the seed's CIDRs; the k8s/ overlays applied server-side; {@code meshctl clustermesh
 * enable|connect|status} exactly as the seed runs cilium's; mesh-proxy (exporting with its ServiceAccount token
 * under the overlay's RBAC), mesh-agent and mesh-dns run as the overlays configure their pods, the agents reading the
 * real clusters Secret mounted kubelet-style; then only kubectl changes the clusters, as in the seed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SeedOnRealKubernetesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KubeMeshExtension KUBE =
            new KubeMeshExtension(List.of(ClusterSpec.seed(1), ClusterSpec.seed(2), ClusterSpec.seed(3)));

    private static KubeMeshHarness mesh;
    private static MeshctlProcess.Result enable1;
    private static MeshctlProcess.Result connect;
    private static MeshctlProcess.Result status;

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    static void seedSetUp() {
        mesh = new KubeMeshHarness(KUBE.mesh(), KUBE.dir());
        enable1 = mesh.deploy("cluster1", mesh.repo.resolve("k8s/overlays/cluster1"));
        mesh.deploy("cluster2", mesh.repo.resolve("k8s/overlays/cluster2"));
        mesh.deploy("cluster3", mesh.derivedOverlay(3));
        connect = ok(mesh.meshctl(120, "clustermesh", "connect", "--context", "kind-cluster1",
                "--destination-context", "kind-cluster2"));
        status = ok(mesh.meshctl(200, "clustermesh", "status", "--context", "kind-cluster1", "--wait",
                "--timeout", "3m", "--agent", mesh.site("cluster1").agentAddress()));
        mesh.seedWorkload("cluster1");
        mesh.seedWorkload("cluster2");
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

    private static TreeSet<String> rebels(String cluster) {
        return mesh.podIps(cluster, "name=rebel-base");
    }

    /** Both clusters' rebel-base pods, by cluster, as the API servers list them (waits for 2 Running each). */
    private static Map<String, TreeSet<String>> bothClustersRebels() {
        Eventually.await(WAIT, () -> {
            assertThat(rebels("cluster1")).hasSize(2);
            assertThat(rebels("cluster2")).hasSize(2);
        });
        return Map.of("cluster1", rebels("cluster1"), "cluster2", rebels("cluster2"));
    }

    @Test
    @Order(1)
    void overlaysAreAppliedServerSideWithEachClustersOwnServiceCidr() {
        for (String c : List.of("cluster1", "cluster2", "cluster3")) {
            String n = c.substring("cluster".length());
            assertThat(mesh.kube.cluster(c).kubectl("-n", MeshSite.NS, "get", "service", "mesh-dns", "-o",
                    "jsonpath={.spec.clusterIP}")).as(c).isEqualTo("10." + n + "1.0.53");
            assertThat(mesh.kube.cluster(c).kubectl("-n", MeshSite.NS, "get", "deployment", "mesh-proxy", "-o",
                    "jsonpath={.metadata.managedFields[*].operation}")).as("%s: applied server-side", c).contains("Apply");
        }
    }

    @Test
    @Order(2)
    void enableTakesTheOverlaysIdentityConnectAndStatusReportTheMeshReady() {
        assertThat(enable1.out()).contains("ClusterMesh enabled in context kind-cluster1 as cluster1");
        assertThat(connect.out()).contains("https://127.0.2.2:32379", "https://127.0.1.2:32379");
        assertThat(status.out()).contains("Cluster:        cluster1 (id 1)", "Connected to:   cluster2 (id 2)", "Deployment mesh-proxy", "cluster2: ready",
                "cluster1: ready", "✅ ClusterMesh ready in context kind-cluster1");
        MeshctlProcess.Result again = ok(mesh.meshctl(60, "clustermesh", "status", "--context", "kind-cluster2",
                "--agent", agent("cluster2")));
        assertThat(again.out()).contains("cluster2 (id 2)", "Connected to:   cluster1 (id 1)", "cluster1: ready", "cluster2: ready");
    }

    @Test
    @Order(3)
    void theAgentsClustersDirectoryIsTheRealSecretMountedAsTheKubeletMountsIt() throws Exception {
        Path clusters = Path.of(mesh.site("cluster1").agent().env().get("MESH_CLUSTERS_DIR"));
        assertThat(Files.isSymbolicLink(clusters.resolve("..data"))).isTrue();
        for (String f : List.of("cluster1", "cluster2", "cluster2.etcd-client.crt", "cluster2.etcd-client.key",
                "cluster2.etcd-client-ca.crt")) {
            assertThat(Files.readSymbolicLink(clusters.resolve(f))).as(f).isEqualTo(Path.of("..data", f));
        }
        assertThat(Files.readString(clusters.resolve("cluster2"))).contains("https://127.0.2.2:32379");
    }

    @Test
    @Order(4)
    void serviceListShowsBothClustersBackends() {
        Map<String, TreeSet<String>> pods = bothClustersRebels();
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").all()).isEqualTo(pods));
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster2"), "rebel-base").all()).isEqualTo(pods));
        MeshctlProcess.Result list = ok(mesh.meshctl(60, "service", "list", "--agent", agent("cluster1"),
                "--clustermesh-affinity"));
        for (String ip : pods.get("cluster1")) {
            assertThat(list.out()).contains(ip + ":80/TCP cluster1 (active)");
        }
        for (String ip : pods.get("cluster2")) {
            assertThat(list.out()).contains(ip + ":80/TCP cluster2 (active)");
        }
    }

    @Test
    @Order(5)
    void cluster2ScaledToZeroLeavesOnlyCluster1sBackendsThenComesBack() {
        Map<String, TreeSet<String>> pods = bothClustersRebels();
        mesh.kube.cluster("cluster2").kubectl("scale", "deployment", "rebel-base", "--replicas=0");
        long start = System.nanoTime();
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").all())
                .isEqualTo(Map.of("cluster1", pods.get("cluster1"))));
        System.out.printf("scale to 0 in cluster2 -> gone from cluster1's agent in %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
        mesh.kube.cluster("cluster2").kubectl("scale", "deployment", "rebel-base", "--replicas=2");
        Map<String, TreeSet<String>> back = bothClustersRebels();
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").all()).isEqualTo(back));
    }

    @Test
    @Order(6)
    void sharedFalseHidesCluster1sBackendsFromCluster2OnlyAndRemovingItRestoresThem() {
        Map<String, TreeSet<String>> pods = bothClustersRebels();
        annotate("cluster1", "service.cilium.io/shared=false");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster2"), "rebel-base").all())
                .isEqualTo(Map.of("cluster2", pods.get("cluster2"))));
        assertThat(held(agent("cluster1"), "rebel-base").all()).isEqualTo(pods);
        annotate("cluster1", "service.cilium.io/shared-");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster2"), "rebel-base").all()).isEqualTo(pods));
    }

    @Test
    @Order(7)
    void affinityLocalPrefersCluster1InCluster1OnlyAndAffinityRemoteUsesOnlyCluster2() {
        Map<String, TreeSet<String>> pods = bothClustersRebels();
        annotate("cluster1", "service.cilium.io/affinity=local");
        Eventually.await(WAIT, () -> {
            KubeMeshHarness.Held h = held(agent("cluster1"), "rebel-base");
            assertThat(h.preferred()).isEqualTo(Map.of("cluster1", pods.get("cluster1")));
            assertThat(h.usable()).isEqualTo(Map.of("cluster1", pods.get("cluster1")));
        });
        KubeMeshHarness.Held two = held(agent("cluster2"), "rebel-base");
        assertThat(two.usable()).isEqualTo(pods);
        assertThat(two.preferred()).isEmpty();
        MeshctlProcess.Result list = ok(mesh.meshctl(60, "service", "list", "--agent", agent("cluster1"),
                "--clustermesh-affinity"));
        assertThat(list.out()).contains("(affinity local)", "(preferred)");

        annotate("cluster1", "service.cilium.io/affinity=remote");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").usable())
                .isEqualTo(Map.of("cluster2", pods.get("cluster2"))));
        annotate("cluster1", "service.cilium.io/affinity-");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").usable()).isEqualTo(pods));
    }

    @Test
    @Order(8)
    void aRollingUpdateReplacesCluster2sBackendsWithoutEverLeavingItEmpty() {
        bothClustersRebels();
        Set<String> before = mesh.pods("cluster2", "name=rebel-base").keySet();
        mesh.kube.cluster("cluster2").kubectl("rollout", "restart", "deployment", "rebel-base");
        // kwok hands a freed IP out again, so pods are told apart by name; the backends must follow their IPs.
        List<String> gaps = new java.util.ArrayList<>();
        Eventually.await(WAIT, () -> {
            if (held(agent("cluster1"), "rebel-base").all().get("cluster2") == null) {
                gaps.add("cluster2 had no backend in cluster1's agent at " + java.time.Instant.now());
            }
            Map<String, String> now = mesh.pods("cluster2", "name=rebel-base");
            assertThat(now).hasSize(2);
            assertThat(now.keySet()).doesNotContainAnyElementsOf(before);
            assertThat(held(agent("cluster1"), "rebel-base").all().get("cluster2"))
                    .isEqualTo(new TreeSet<>(now.values()));
        });
        assertThat(gaps).as("moments without cluster2's backends during the rollout").isEmpty();
    }

    @Test
    @Order(9)
    void aThirdClusterConnectsAndDisconnectsThroughTheMountedSecretWithoutARestart() {
        long pid = mesh.site("cluster1").agent().pid();
        long proxy = mesh.site("cluster3").proxy().pid();
        ok(mesh.meshctl(120, "clustermesh", "connect", "--context", "kind-cluster1", "--destination-context",
                "kind-cluster3", "--pin"));
        Eventually.await(WAIT, () -> assertThat(ok(mesh.meshctl(60, "clustermesh", "status", "--context",
                "kind-cluster1", "--agent", agent("cluster1"))).out()).contains("cluster3: ready"));
        // cluster1 could read cluster3 only through cluster3's access list (a mounted ConfigMap), pinned.
        assertThat(accessList("cluster3")).contains("- name: cluster1", "spki-sha256: [\"");
        Eventually.await(WAIT, () -> assertThat(mesh.site("cluster3").proxy().metrics())
                .contains("mesh_proxy_access_list_clusters " + entries("cluster3") + ".0"));
        ok(mesh.meshctl(120, "clustermesh", "disconnect", "--context", "kind-cluster1", "--destination-context",
                "kind-cluster3"));
        Eventually.await(WAIT, () -> assertThat(ok(mesh.meshctl(60, "clustermesh", "status", "--context",
                "kind-cluster1", "--agent", agent("cluster1"))).out()).doesNotContain("cluster3").contains("cluster2: ready"));
        assertThat(accessList("cluster3")).doesNotContain("cluster1");
        Eventually.await(WAIT, () -> assertThat(mesh.site("cluster3").proxy().metrics())
                .contains("mesh_proxy_access_list_clusters " + entries("cluster3") + ".0"));
        assertThat(mesh.site("cluster3").proxy().pid()).as("same proxy process").isEqualTo(proxy);
        assertThat(mesh.site("cluster1").agent().pid()).as("same agent process").isEqualTo(pid);
        assertThat(mesh.site("cluster1").agent().alive()).isTrue();
    }

    @Test
    @Order(10)
    void deletingCluster2sServiceWithdrawsItsBackends() {
        Map<String, TreeSet<String>> pods = bothClustersRebels();
        mesh.kube.cluster("cluster2").kubectl("delete", "service", "rebel-base");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").all())
                .isEqualTo(Map.of("cluster1", pods.get("cluster1"))));
        mesh.seedWorkload("cluster2");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").all()).isEqualTo(pods));
    }

    @Test
    @Order(11)
    void aNodeRemovedFromCluster2LeavesCluster1sView() {
        Eventually.await(WAIT, () -> assertThat(nodes("cluster1", "cluster2")).isEqualTo(3));
        mesh.kube.cluster("cluster2").kubectl("delete", "node", "cluster2-worker2");
        Eventually.await(WAIT, () -> assertThat(nodes("cluster1", "cluster2")).isEqualTo(2));
    }

    @Test
    @Order(12)
    void certsRenewReissuesOneClustersCertificatesOnlyWhenDue() {
        MeshctlProcess.Result notDue = ok(mesh.meshctl(120, "certs", "renew", "--context", "kind-cluster2"));
        assertThat(notDue.out()).contains("nothing to renew", "expires in 36");
        long proxy = mesh.site("cluster2").proxy().pid();
        MeshctlProcess.Result renewed = ok(mesh.meshctl(300, "certs", "renew", "--context", "kind-cluster2",
                "--force", "--timeout", "2m"));
        assertThat(renewed.out()).contains("kind-cluster2: the proxy serves its renewed certificate (serial",
                "✅ kind-cluster2: renewed");
        assertThat(mesh.site("cluster2").proxy().pid()).isEqualTo(proxy);
        Eventually.await(WAIT, () -> assertThat(ok(mesh.meshctl(60, "clustermesh", "status", "--context",
                "kind-cluster1", "--agent", agent("cluster1"))).out()).contains("cluster2: ready"));
    }

    @Test
    @Order(13)
    void certsRotateRollsTheMeshOverToANewCaWithoutARestart() {
        Map<String, Long> pids = new java.util.TreeMap<>();
        for (String c : List.of("cluster1", "cluster2", "cluster3")) {
            pids.put(c + "/proxy", mesh.site(c).proxy().pid());
            pids.put(c + "/agent", mesh.site(c).agent().pid());
        }
        String oldCa = dev.clustermesh.pki.Pem.readCertificate(mesh.pki.resolve("ca.crt")).getSerialNumber().toString(16);
        MeshctlProcess.Result partial = mesh.meshctl(120, "certs", "rotate", "--context", "kind-cluster1", "--ca-dir",
                mesh.pki.toString());
        assertThat(partial.exitCode()).as(partial.toString()).isEqualTo(1);
        assertThat(partial.err()).contains("connected to cluster2", "give every cluster of the mesh with --context");
        MeshctlProcess.Result rotate = ok(mesh.meshctl(600, "certs", "rotate", "--context", "kind-cluster1", "--context",
                "kind-cluster2", "--context", "kind-cluster3", "--ca-dir", mesh.pki.toString(), "--timeout", "2m",
                "--agent", agent("cluster1"), "--agent", agent("cluster2"), "--agent", agent("cluster3")));
        assertThat(rotate.out()).contains("1/3 Trust bundle", "kind-cluster3: the proxy accepts a certificate of the new CA",
                "2/3 The same keys", "3/3 Old CA dropped", "kind-cluster1: the proxy refuses a certificate of the old CA",
                "agent " + agent("cluster3") + " trusts only the new CA for every cluster",
                "✅ Rotated 3 clusters");
        String newCa = dev.clustermesh.pki.Pem.readCertificate(mesh.pki.resolve("ca.crt")).getSerialNumber().toString(16);
        assertThat(newCa).isNotEqualTo(oldCa);
        for (String c : List.of("cluster1", "cluster2", "cluster3")) {
            assertThat(mesh.site(c).proxy().pid()).as(c + "'s proxy not restarted").isEqualTo(pids.get(c + "/proxy"));
            assertThat(mesh.site(c).agent().pid()).as(c + "'s agent not restarted").isEqualTo(pids.get(c + "/agent"));
        }
        Eventually.await(WAIT, () -> {
            try (AgentClient a = new AgentClient(agent("cluster1"), Duration.ofSeconds(5))) {
                var s = a.status();
                assertThat(s.getReady()).isTrue();
                assertThat(s.getClustersList()).allSatisfy(c -> assertThat(c.getCertificatesList().stream()
                        .filter(x -> x.getRole().equals("ca")).map(x -> x.getSerial()).toList())
                        .as(c.getName()).containsExactly(newCa));
            }
        });
        // The mesh still works: a change in cluster2 after the rotation reaches cluster1's agent, and back.
        annotate("cluster2", "service.cilium.io/shared=false");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").all()).containsOnlyKeys("cluster1"));
        annotate("cluster2", "service.cilium.io/shared-");
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").all())
                .containsOnlyKeys("cluster1", "cluster2"));
    }

    /**
     * Issue 15 on real API servers with three clusters: ordered cluster preference
     * ({@code service.cilium.io/cluster-preference: cluster3,cluster2}) on cluster1's service takes cluster3's
     * backends, then cluster2's when cluster3 is scaled to 0, then cluster1's when cluster2 is too, and goes back up
     * the tiers as they come back; then graded failover ({@code affinity=local}, {@code affinity-min-ready=4}) shares
     * cluster1's two pods with the others by weight.
     */
    @Test
    @Order(14)
    void clusterPreferenceTiersAcrossThreeClustersAndGradedFailover() throws Exception {
        ok(mesh.meshctl(120, "clustermesh", "connect", "--context", "kind-cluster1", "--destination-context",
                "kind-cluster3"));
        String three = java.nio.file.Files.readString(SeedWorkload.file(mesh.repo, "cluster2")).replace("cluster2",
                "cluster3");
        mesh.apply("cluster3", "rebel-base", three);
        Eventually.await(WAIT, () -> assertThat(rebels("cluster3")).hasSize(2));
        annotate("cluster1", "service.cilium.io/cluster-preference=cluster3,cluster2");
        awaitOnlyUsable("cluster3");
        scale("cluster3", 0);
        awaitOnlyUsable("cluster2");
        scale("cluster2", 0);
        awaitOnlyUsable("cluster1");
        scale("cluster2", 2);
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").usable()).containsOnlyKeys(
                "cluster2"));
        scale("cluster3", 2);
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").usable()).containsOnlyKeys(
                "cluster3"));
        MeshctlProcess.Result list = ok(mesh.meshctl(60, "service", "list", "--agent", agent("cluster1"),
                "--clustermesh-affinity"));
        assertThat(list.out()).contains("cluster3 (active) (tier 1)", "cluster2 (active) (tier 2) (unused)",
                "cluster1 (active) (tier 3) (unused)");

        annotate("cluster1", "service.cilium.io/cluster-preference-");
        annotate("cluster1", "service.cilium.io/affinity=local");
        annotate("cluster1", "service.cilium.io/affinity-min-ready=4");
        Eventually.await(WAIT, () -> assertThat(ok(mesh.meshctl(60, "service", "list", "--agent", agent("cluster1"),
                "--clustermesh-affinity")).out()).contains("cluster1 (active) (preferred) (share 25.0%)",
                "(share 12.5%)"));
    }

    /** Waits until cluster1's agent uses exactly {@code cluster}'s Running rebel-base pods (as they are then). */
    private static void awaitOnlyUsable(String cluster) {
        Eventually.await(WAIT, () -> assertThat(held(agent("cluster1"), "rebel-base").usable())
                .isEqualTo(Map.of(cluster, rebels(cluster))));
    }

    private static void scale(String cluster, int replicas) {
        mesh.kube.cluster(cluster).kubectl("scale", "deployment", "rebel-base", "--replicas=" + replicas);
    }

    /** A cluster's access list as meshctl keeps it in the API server. */
    private static String accessList(String cluster) {
        return mesh.kube.cluster(cluster).kubectl("-n", "clustermesh-system", "get", "configmap", "clustermesh-access",
                "-o", "jsonpath={.data.access\\.yaml}");
    }

    private static long entries(String cluster) {
        return accessList(cluster).lines().filter(l -> l.startsWith("- name:")).count();
    }

    private static int nodes(String agentCluster, String of) {
        try (AgentClient c = new AgentClient(agent(agentCluster), Duration.ofSeconds(5))) {
            return c.status().getClustersList().stream().filter(s -> s.getName().equals(of)).findFirst()
                    .orElseThrow(() -> new AssertionError(agentCluster + "'s agent does not list " + of)).getNodes();
        }
    }

    private static void annotate(String cluster, String annotation) {
        mesh.kube.cluster(cluster).kubectl("annotate", "service", "rebel-base", annotation, "--overwrite");
    }
}
