package dev.clustermesh.agent.datapath;

import static dev.clustermesh.testing.mesh.SeedManifests.clusterIp;
import static dev.clustermesh.testing.mesh.SeedManifests.podIp;
import static dev.clustermesh.testing.mesh.SeedManifests.rebelBase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.netlab.Backends;
import dev.clustermesh.agent.datapath.netlab.ClusterNetwork;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.agent.datapath.routes.TunnelOptions;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's global-service walk-through on real packets (GlobalServiceWalkthroughIT holds it in the LB maps):
 * x-wing pods curl rebel-base's ClusterIP, the node's nftables table DNATs each connection to a rebel-base pod
 * of either cluster, and native routes (VXLAN in the last test) carry it across; routes to the other cluster's
 * service CIDR carry requests to its ClusterIPs to its node, which load-balances them. Each step first waits until
 * the node's kernel table holds the expected backends, then counts who answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class DatapathWalkthroughIT {
    private static final String C1 = "cluster1";
    private static final String C2 = "cluster2";
    /** ClusterIP of tie-fighter, a global service only cluster2 has: in cluster2's service CIDR 10.21.0.0/16. */
    private static final String TIE_FIGHTER_IP = "10.21.0.20";
    private static final Pattern TX_PACKETS = Pattern.compile("TX:\\s+bytes\\s+packets[^\\n]*\\n\\s*\\d+\\s+(\\d+)");
    @TempDir
    static Path dir;
    private TwoClusterMesh mesh;

    @BeforeAll
    void startMesh() {
        mesh = new TwoClusterMesh(dir, c -> rebelBase(c, 2));
    }

    @AfterAll
    void stopMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @BeforeEach
    void baseline() {
        manifest(1, 2, Map.of());
        manifest(2, 2, Map.of());
        mesh.awaitKernel(1, podIp(1, 1), podIp(1, 2), podIp(2, 1), podIp(2, 2));
        mesh.awaitKernel(2, podIp(1, 1), podIp(1, 2), podIp(2, 1), podIp(2, 2));
    }

    private void manifest(int c, int replicas, Map<String, String> annotations) {
        mesh.cluster(c).manifest("rebel-base.yaml", rebelBase(c, replicas, annotations));
    }

    /** Answers to 10 requests from cluster {@code c}'s x-wing to its rebel-base ClusterIP. */
    private List<String> tenRequests(int c) {
        return Backends.answers(mesh.xwing(c), clusterIp(c), 10);
    }

    /**
     * Requests until both clusters answered. With two backends per cluster chosen at random, 10 requests all land
     * in one cluster with probability 2/1024; up to 30 make that 2/10^9, so the test does not flake.
     */
    private List<String> untilBothAnswer(int c) {
        return untilBothAnswer(mesh.xwing(c), clusterIp(c));
    }

    /** As {@link #untilBothAnswer(int)}, from pod {@code from} to {@code ip}. */
    private static List<String> untilBothAnswer(String from, String ip) {
        List<String> answers = new ArrayList<>(Backends.answers(from, ip, 10));
        for (int i = 0; i < 2 && !(answers.contains(C1) && answers.contains(C2)); i++) {
            answers.addAll(Backends.answers(from, ip, 10));
        }
        return answers;
    }

    /** A global service that only cluster2 has, on its two rebel-base pods, with a ClusterIP of cluster2's. */
    private static String tieFighter() {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: tie-fighter
                  namespace: default
                  annotations: {service.cilium.io/global: "true"}
                spec:
                  clusterIP: %s
                  clusterIPs: [%s]
                  ports:
                  - {name: http, port: 80, protocol: TCP, targetPort: 80}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: tie-fighter-abc
                  namespace: default
                  labels: {kubernetes.io/service-name: tie-fighter}
                addressType: IPv4
                ports:
                - {name: http, port: 80, protocol: TCP}
                endpoints:
                - addresses: ["%s"]
                  conditions: {ready: true}
                - addresses: ["%s"]
                  conditions: {ready: true}
                """.formatted(TIE_FIGHTER_IP, TIE_FIGHTER_IP, podIp(2, 1), podIp(2, 2));
    }

    @Test
    @Order(1)
    void requestsFromEitherClusterReachBothClusters() {
        assertThat(untilBothAnswer(1)).containsOnly(C1, C2).contains(C1, C2);
        assertThat(untilBothAnswer(2)).containsOnly(C1, C2).contains(C1, C2);
    }

    @Test
    @Order(2)
    void cluster2ScaledToZeroLeavesOnlyCluster1AndTheOtherWayRound() {
        manifest(2, 0, Map.of());
        mesh.awaitKernel(1, podIp(1, 1), podIp(1, 2));
        mesh.awaitKernel(2, podIp(1, 1), podIp(1, 2));
        assertThat(tenRequests(1)).containsOnly(C1);
        assertThat(tenRequests(2)).containsOnly(C1);

        manifest(2, 2, Map.of());
        manifest(1, 0, Map.of());
        mesh.awaitKernel(1, podIp(2, 1), podIp(2, 2));
        mesh.awaitKernel(2, podIp(2, 1), podIp(2, 2));
        assertThat(tenRequests(1)).containsOnly(C2);
        assertThat(tenRequests(2)).containsOnly(C2);
    }

    @Test
    @Order(3)
    void sharedFalseOnCluster1KeepsCluster2sXwingInCluster2() {
        manifest(1, 2, Map.of("service.cilium.io/shared", "false"));
        mesh.awaitKernel(2, podIp(2, 1), podIp(2, 2));
        mesh.awaitKernel(1, podIp(1, 1), podIp(1, 2), podIp(2, 1), podIp(2, 2));
        assertThat(tenRequests(2)).containsOnly(C2);
        assertThat(untilBothAnswer(1)).contains(C1, C2);
    }

    @Test
    @Order(4)
    void affinityLocalStaysLocalUntilLocalIsScaledToZeroThenFailsOver() {
        manifest(1, 2, Map.of("service.cilium.io/affinity", "local"));
        mesh.awaitKernel(1, podIp(1, 1), podIp(1, 2));
        assertThat(tenRequests(1)).containsOnly(C1);

        manifest(1, 0, Map.of("service.cilium.io/affinity", "local"));
        mesh.awaitKernel(1, podIp(2, 1), podIp(2, 2));
        assertThat(tenRequests(1)).containsOnly(C2);
    }

    @Test
    @Order(5)
    void affinityRemoteGoesToTheOtherCluster() {
        manifest(1, 2, Map.of("service.cilium.io/affinity", "remote"));
        mesh.awaitKernel(1, podIp(2, 1), podIp(2, 2));
        assertThat(tenRequests(1)).containsOnly(C2);
    }

    @Test
    @Order(6)
    void withNoBackendAnywhereTheClusterIpRejectsAtOnce() {
        manifest(1, 0, Map.of());
        manifest(2, 0, Map.of());
        mesh.awaitKernel(1);
        Command.Result r = Backends.get(mesh.xwing(1), clusterIp(1));
        assertThat(r.exitCode()).as("curl: %s", r.output()).isEqualTo(7);
    }

    @Test
    @Order(7)
    void podsReachPodsOfTheOtherClusterByIpOverNativeRoutes() {
        assertThat(NetnsLab.exec(mesh.node(1), "ip", "route", "get", podIp(2, 1)))
                .contains("via " + ClusterNetwork.nodeIp(2) + " dev ul0");
        assertThat(Backends.answers(mesh.xwing(1), podIp(2, 1), 3)).containsOnly(C2);
        assertThat(Backends.answers(mesh.xwing(2), podIp(1, 2), 3)).containsOnly(C1);
    }

    @Test
    @Order(8)
    void aPodReachesAServiceOfTheOtherClusterOnlyByItsClusterIpOverTheServiceCidrRoute() {
        mesh.cluster(2).manifest("tie-fighter.yaml", tieFighter());
        Eventually.await(TwoClusterMesh.WAIT, () -> assertThat(NetnsLab.exec(mesh.node(2), "nft", "list", "map",
                "inet", "clustermesh", "services4")).contains(TIE_FIGHTER_IP + " . tcp . 80 : goto lb4_tcp_2"));
        // Cluster1 has no such Service, so its node programs no frontend: the route carries the packet to
        // cluster2's node, whose table DNATs it as it arrives from the underlay.
        assertThat(NetnsLab.exec(mesh.node(1), "nft", "list", "map", "inet", "clustermesh", "services4"))
                .doesNotContain(TIE_FIGHTER_IP);
        assertThat(NetnsLab.exec(mesh.node(1), "ip", "route", "get", TIE_FIGHTER_IP))
                .contains("via " + ClusterNetwork.nodeIp(2) + " dev ul0");
        assertThat(Backends.answers(mesh.xwing(1), TIE_FIGHTER_IP, 5)).containsOnly(C2);
    }

    /**
     * The other cluster's node load-balances its ClusterIP over both clusters' backends. A connection it sends back
     * to a backend in the client's cluster is answered only because that node masquerades it: otherwise the
     * backend would answer the client directly, from its own address instead of the ClusterIP.
     */
    @Test
    @Order(9)
    void aPodReachesBothClustersThroughTheOtherClustersClusterIp() {
        assertThat(NetnsLab.exec(mesh.node(1), "ip", "route", "get", clusterIp(2)))
                .contains("via " + ClusterNetwork.nodeIp(2) + " dev ul0");
        assertThat(untilBothAnswer(mesh.xwing(1), clusterIp(2))).containsOnly(C1, C2).contains(C1, C2);
        assertThat(untilBothAnswer(mesh.xwing(2), clusterIp(1))).containsOnly(C1, C2).contains(C1, C2);
    }

    @Test
    @Order(10)
    void trafficKeepsFlowingWhileTheAgentRestarts() {
        mesh.stopAgent(1);
        assertThat(untilBothAnswer(1)).as("no agent running").contains(C1, C2);
        mesh.startAgent(1, RoutingOptions.nativeRouting());
        assertThat(untilBothAnswer(1)).as("new agent starting").contains(C1, C2);
        manifest(2, 1, Map.of());
        mesh.awaitKernel(1, podIp(1, 1), podIp(1, 2), podIp(2, 1));
    }

    @Test
    @Order(11)
    void podsReachPodsAndServicesOfTheOtherClusterThroughTheVxlanTunnel() {
        for (int c = 1; c <= 2; c++) {
            mesh.startAgent(c, RoutingOptions.tunnel(new TunnelOptions("cmesh_vxlan", 2, 8472,
                    ClusterNetwork.nodeIp(c), 1450)));
        }
        for (int c = 1; c <= 2; c++) {
            String node = mesh.node(c);
            String remotePod = podIp(3 - c, 1);
            String via = "via " + ClusterNetwork.nodeIp(3 - c) + " dev cmesh_vxlan";
            Eventually.await(TwoClusterMesh.WAIT,
                    () -> assertThat(NetnsLab.exec(node, "ip", "route", "get", remotePod)).contains(via));
        }
        long before = txPackets(mesh.node(1));
        assertThat(Backends.answers(mesh.xwing(1), podIp(2, 1), 3)).containsOnly(C2);
        assertThat(Backends.answers(mesh.xwing(2), podIp(1, 1), 3)).containsOnly(C1);
        assertThat(untilBothAnswer(1)).contains(C1, C2);
        assertThat(NetnsLab.exec(mesh.node(1), "ip", "route", "get", TIE_FIGHTER_IP))
                .contains("via " + ClusterNetwork.nodeIp(2) + " dev cmesh_vxlan");
        assertThat(Backends.answers(mesh.xwing(1), TIE_FIGHTER_IP, 3)).containsOnly(C2);
        assertThat(untilBothAnswer(mesh.xwing(1), clusterIp(2))).containsOnly(C1, C2).contains(C1, C2);
        assertThat(txPackets(mesh.node(1)) - before).as("packets sent through the tunnel").isGreaterThan(10);
    }

    @Test
    @Order(12)
    void leavingTheOtherClusterRemovesItsPodAndServiceRoutes() {
        String routes = NetnsLab.exec(mesh.node(1), "ip", "route", "show", "proto", "201");
        assertThat(routes).contains("10.20.1.0/24", "10.21.0.0/16");
        mesh.leave(1, 2);
        Eventually.await(TwoClusterMesh.WAIT, () -> assertThat(NetnsLab.exec(mesh.node(1), "ip", "route", "show",
                "proto", "201")).doesNotContain("10.20.1.0/24").doesNotContain("10.21.0.0/16"));
        assertThat(NetnsLab.exec(mesh.node(1), "nft", "list", "set", "inet", "clustermesh", "remote_pods4"))
                .doesNotContain("10.20.1.0/24");
    }

    private static long txPackets(String node) {
        Matcher m = TX_PACKETS.matcher(NetnsLab.exec(node, "ip", "-s", "link", "show", "cmesh_vxlan"));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
