package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The local demo as a new user drives it through {@code ./meshctl}: real etcds, mesh-proxies, agents and
 * mesh-dns processes (datapath memory), then status, service list, the seed's walk-through by editing the demo's
 * manifests, the demo's pods exported as endpoints, {@code demo apply}/{@code delete} of a Pod and a policy (and
 * of bad files, which change nothing), etcdctl and dig against what it runs, and {@code down} leaving nothing
 * behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class DemoIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dir;
    private MeshctlProcess.Result up;
    private final List<Long> pids = new ArrayList<>();

    @BeforeAll
    void up() throws Exception {
        Binaries.require("etcd", "apt-get install -y etcd-server");
        dir = Files.createTempDirectory("meshctl-demo");
        up = meshctl(240, "demo", "up", "--port-base", "0", "--dns-port", "0", "--datapath", "memory");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        JsonNode status = json(meshctl(30, "demo", "status", "-o", "json"));
        status.path("clusters").forEach(c -> c.path("processes").forEach(p -> pids.add(p.path("pid").asLong())));
    }

    @AfterAll
    void down() {
        if (dir != null) {
            MeshctlProcess.run(120, "demo", "down", "--dir", dir.toString());
        }
    }

    private MeshctlProcess.Result meshctl(long timeout, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (args[0].equals("demo")) {
            all.add("--dir");
            all.add(dir.toString());
        } else {
            all.add("--demo-dir");
            all.add(dir.toString());
        }
        return MeshctlProcess.run(timeout, Map.of(), all);
    }

    private static JsonNode json(MeshctlProcess.Result r) throws Exception {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return JSON.readTree(r.out());
    }

    /** cluster → backend addresses in {@code context}'s agent's service list for rebel-base. */
    private Map<String, List<String>> backends(String context) throws Exception {
        JsonNode services = json(meshctl(30, "service", "list", "--context", context, "-o", "json"));
        Map<String, List<String>> out = new HashMap<>();
        for (JsonNode s : services.path("services")) {
            if (s.path("name").asText().equals("rebel-base")) {
                for (JsonNode b : s.path("backends")) {
                    out.computeIfAbsent(b.path("cluster").asText(), k -> new ArrayList<>())
                            .add(b.path("address").asText());
                }
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void upShowsTwoConnectedClustersAndTheGlobalServiceWithBackendsFromBoth() {
        assertThat(up.out()).contains("✅ All 2 clusters connected and synced")
                .contains("10.11.0.10:80/TCP", "10.10.1.11:80/TCP cluster1 (active)",
                        "10.20.1.12:80/TCP cluster2 (active)")
                .contains("rebel-base.default.svc.clusterset.local.\tA\t10.11.0.10");
    }

    @Test
    @Order(2)
    void statusFromEitherClusterSaysBothAreConnectedAndSynced() throws Exception {
        for (String context : List.of("cluster1", "cluster2")) {
            JsonNode s = json(meshctl(30, "status", "--context", context, "--wait", "--timeout", "30s", "-o", "json"));
            assertThat(s.path("cluster").asText()).isEqualTo(context);
            assertThat(s.path("ready").asBoolean()).isTrue();
            assertThat(s.path("clusters")).hasSize(2).allSatisfy(c -> {
                assertThat(c.path("connected").asBoolean()).isTrue();
                assertThat(c.path("ready").asBoolean()).isTrue();
            });
        }
        MeshctlProcess.Result text = meshctl(30, "status", "--context", "cluster2");
        assertThat(text.out()).contains("Cluster:  cluster2 (ID 2)", "- cluster1 (ID 1): connected, synced",
                "- cluster2 (ID 2, local): connected, synced", "🔀 Global services: 1");
    }

    @Test
    @Order(3)
    void theSeedWalkThroughReplayedByEditingTheDemo() throws Exception {
        Eventually.await(WAIT, () -> assertThat(backends("cluster1")).containsOnlyKeys("cluster1", "cluster2"));

        MeshctlProcess.Result scaled = meshctl(30, "demo", "scale", "cluster2", "rebel-base", "0");
        assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
        Eventually.await(WAIT, () -> assertThat(backends("cluster1")).containsOnlyKeys("cluster1"));
        Eventually.await(WAIT, () -> assertThat(backends("cluster2")).containsOnlyKeys("cluster1"));
        assertThat(meshctl(30, "demo", "scale", "cluster2", "rebel-base", "2").exitCode()).isZero();
        Eventually.await(WAIT, () -> assertThat(backends("cluster1").get("cluster2")).hasSize(2));

        assertThat(meshctl(30, "demo", "annotate", "cluster1", "rebel-base", "service.cilium.io/shared=false")
                .exitCode()).isZero();
        Eventually.await(WAIT, () -> assertThat(backends("cluster2")).containsOnlyKeys("cluster2"));
        assertThat(backends("cluster1")).containsOnlyKeys("cluster1", "cluster2");

        assertThat(meshctl(30, "demo", "annotate", "cluster1", "rebel-base", "service.cilium.io/shared-",
                "service.cilium.io/affinity=local").exitCode()).isZero();
        Eventually.await(WAIT, () -> assertThat(meshctl(30, "service", "list", "--context", "cluster1",
                "--clustermesh-affinity").out()).contains("10.10.1.11:80/TCP cluster1 (active) (preferred)")
                .contains("ClusterIP (affinity local)").doesNotContain("cluster2 (active) (preferred)"));
        Eventually.await(WAIT, () -> assertThat(backends("cluster2")).containsOnlyKeys("cluster1", "cluster2"));

        // Issue 14: where the walk-through's changes spent their time, cluster2's stages as cluster1's agent sees
        // them (export and cache arrive with cluster2's next heartbeat after its exports).
        Eventually.await(WAIT, () -> {
            String out = meshctl(30, "status", "--context", "cluster1", "-v").out();
            String cluster2 = out.substring(out.indexOf("- cluster2 (ID 2)"));
            assertThat(cluster2).contains("propagation (source → datapath):").containsPattern(
                    "(?s)export +p50 .* \\(\\d+ samples, proxy of cluster2\\).*cache +p50 .*transit +p50 .*"
                            + "\\(\\d+ samples, this agent\\).*applied +p50 ");
        });
    }

    @Test
    @Order(4)
    void etcdctlReadsAClusterThroughItsProxyWithTheDemosEnv() throws Exception {
        MeshctlProcess.Result env = meshctl(30, "demo", "env", "cluster1");
        assertThat(env.exitCode()).as(env.toString()).isZero();
        Map<String, String> vars = new HashMap<>();
        for (String line : env.out().split("\n")) {
            if (line.startsWith("export ")) {
                String[] kv = line.substring(7).split("=", 2);
                vars.put(kv[0], kv[1]);
            }
        }
        assertThat(vars).containsKeys("ETCDCTL_ENDPOINTS", "ETCDCTL_CACERT", "ETCDCTL_CERT", "ETCDCTL_KEY");
        etcdEnv = vars;
        String etcdctl = Binaries.require("etcdctl", "apt-get install -y etcd-client").toString();
        MeshctlProcess.Result get = MeshctlProcess.exec(30, vars, List.of(etcdctl, "get", "--prefix",
                "mesh/v1/services/", "--keys-only"));
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(get.out()).contains("mesh/v1/services/cluster1/default/rebel-base");
        assertThat(keys("mesh/v1/endpoints/cluster1/")).as("the demo's pods, exported from its Pod manifests")
                .containsExactly("mesh/v1/endpoints/cluster1/10.10.1.101", "mesh/v1/endpoints/cluster1/10.10.1.11",
                        "mesh/v1/endpoints/cluster1/10.10.1.12");
    }

    @Test
    @Order(5)
    void applyPutsManifestsIntoAClusterAndDeleteTakesThemOut() throws Exception {
        Path file = dir.resolve("probe.yaml");
        Files.writeString(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n  labels: {name: x-wing}\n"
                + "spec: {nodeName: cluster1-node1}\nstatus: {phase: Running, podIP: 10.10.1.200}\n---\n"
                + Files.readString(MeshctlProcess.repo().resolve("docs/examples/demo/rebel-base-policy.yaml")));
        MeshctlProcess.Result apply = meshctl(30, "demo", "apply", "cluster1", file.toString());
        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.out()).isEqualTo("cluster1: pod/probe created\n"
                + "cluster1: ciliumnetworkpolicy.cilium.io/rebel-base-policy created\n");
        String policy = "mesh/v1/local/policies/cluster1/ciliumnetworkpolicy/default/rebel-base-policy";
        Eventually.await(WAIT, () -> assertThat(keys("mesh/v1/")).contains("mesh/v1/endpoints/cluster1/10.10.1.200",
                policy));
        assertThat(meshctl(30, "demo", "apply", "cluster1", file.toString()).out()).contains("pod/probe unchanged");

        MeshctlProcess.Result delete = meshctl(30, "demo", "delete", "cluster1", file.toString());
        assertThat(delete.exitCode()).as(delete.toString()).isZero();
        Eventually.await(WAIT, () -> assertThat(keys("mesh/v1/")).doesNotContain(
                "mesh/v1/endpoints/cluster1/10.10.1.200", policy).contains("mesh/v1/endpoints/cluster1/10.10.1.101"));
        MeshctlProcess.Result again = meshctl(30, "demo", "delete", "cluster1", file.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err().strip()).startsWith("Error: cluster1 has no applied Pod default/probe, "
                + "CiliumNetworkPolicy default/rebel-base-policy; nothing deleted");
    }

    @Test
    @Order(6)
    void badManifestsAreRefusedAndNothingIsWritten() throws Exception {
        Path manifests = dir.resolve("cluster2/manifests");
        List<String> before = files(manifests);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ok}\n---\n"
                + "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x-wing}\n");
        MeshctlProcess.Result kind = meshctl(30, "demo", "apply", "cluster2", bad.toString());
        assertThat(kind.exitCode()).isEqualTo(1);
        assertThat(kind.err().strip()).isEqualTo("Error: " + bad + ", document 2: kind Deployment is not read by the "
                + "demo's mesh-proxy (it reads Service, EndpointSlice, Node, Pod, Namespace, NetworkPolicy, "
                + "CiliumNetworkPolicy, ServiceExport, ClusterProperty)");
        Files.writeString(bad, "kind: Pod\nmetadata: {name: [\n");
        MeshctlProcess.Result yaml = meshctl(30, "demo", "apply", "cluster2", bad.toString());
        assertThat(yaml.err()).startsWith("Error: " + bad + " line ").contains("not valid YAML");
        Files.writeString(bad, "apiVersion: v1\nkind: Pod\nmetadata: {namespace: default}\n");
        assertThat(meshctl(30, "demo", "apply", "cluster2", bad.toString()).err())
                .contains("document 1: Pod has no metadata.name");
        MeshctlProcess.Result cluster = meshctl(30, "demo", "apply", "cluster9", bad.toString());
        assertThat(cluster.err().strip()).isEqualTo("Error: the demo has no cluster 'cluster9' (it has cluster1, "
                + "cluster2)");
        assertThat(files(manifests)).isEqualTo(before);
    }

    private static List<String> files(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Map<String, String> etcdEnv;

    /** The keys under {@code prefix} that cluster1's proxy serves, read with etcdctl and the demo's env. */
    private List<String> keys(String prefix) {
        if (etcdEnv == null) {
            etcdEnv = etcdEnv();
        }
        MeshctlProcess.Result get = MeshctlProcess.exec(30, etcdEnv, List.of(etcdctl(), "get", "--prefix", prefix,
                "--keys-only"));
        assertThat(get.exitCode()).as(get.toString()).isZero();
        return get.out().lines().filter(l -> !l.isBlank()).toList();
    }

    private Map<String, String> etcdEnv() {
        Map<String, String> vars = new HashMap<>();
        for (String line : meshctl(30, "demo", "env", "cluster1").out().split("\n")) {
            if (line.startsWith("export ")) {
                String[] kv = line.substring(7).split("=", 2);
                vars.put(kv[0], kv[1]);
            }
        }
        return vars;
    }

    private static String etcdctl() {
        return Binaries.require("etcdctl", "apt-get install -y etcd-client").toString();
    }

    @Test
    @Order(7)
    void digAsksTheDemosMeshDns() throws Exception {
        JsonNode status = json(meshctl(30, "demo", "status", "-o", "json"));
        String[] dns = status.path("clusters").path("cluster1").path("dns").asText().split(":");
        String digBinary = Binaries.require("dig", "apt-get install -y bind9-dnsutils").toString();
        MeshctlProcess.Result dig = MeshctlProcess.exec(30, Map.of(), List.of(digBinary, "@" + dns[0], "-p", dns[1],
                "+short", "rebel-base.default.svc.clusterset.local"));
        assertThat(dig.out().strip()).isEqualTo("10.11.0.10");
        assertThat(status.path("running").asBoolean()).isTrue();
        assertThat(status.path("clusters").path("cluster2").path("proxy").path("identity").asText())
                .isEqualTo("remote-cluster1");
        assertThat(Path.of(status.path("clusters").path("cluster2").path("proxy").path("cert").asText())).exists();
    }

    @Test
    @Order(8)
    void userMistakesAreOneLineErrors() {
        MeshctlProcess.Result again = meshctl(60, "demo", "up", "--port-base", "0", "--dns-port", "0");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err().strip()).isEqualTo("Error: a demo is already running in " + dir
                + "; see 'meshctl demo status', or stop it with 'meshctl demo down'");
        MeshctlProcess.Result deployment = meshctl(30, "demo", "scale", "cluster1", "tie-fighter", "3");
        assertThat(deployment.exitCode()).isEqualTo(2);
        assertThat(deployment.err().strip()).isEqualTo("Error: the demo has no deployment 'tie-fighter' (it has "
                + "rebel-base, x-wing)");
        MeshctlProcess.Result cluster = meshctl(30, "demo", "annotate", "cluster9", "rebel-base", "a=b");
        assertThat(cluster.err().strip()).isEqualTo("Error: the demo has no cluster 'cluster9' (it has cluster1, "
                + "cluster2)");
        MeshctlProcess.Result key = meshctl(30, "demo", "annotate", "cluster1", "rebel-base", "=x");
        assertThat(key.exitCode()).isEqualTo(2);
        assertThat(key.err()).contains("'=x' is not key=value or key-");
    }

    @Test
    @Order(9)
    void disconnectRefusesTheOtherClusterAtOnceAndConnectLetsItBackPinned() throws Exception {
        certificateSteps().disconnectRefusesTheOtherClusterAtOnceAndConnectLetsItBackPinned();
    }

    @Test
    @Order(10)
    void rotateCertsRollsTheCaOverWhileNothingRestarts() throws Exception {
        certificateSteps().rotateCertsRollsTheCaOverWhileNothingRestarts();
    }

    private DemoCertificateSteps certificateSteps() {
        return new DemoCertificateSteps(args -> meshctl(240, args.toArray(String[]::new)), dir);
    }

    @Test
    @Order(20)
    void downLeavesNoProcessAndNoDirectoryBehind() {
        assertThat(pids).hasSizeGreaterThanOrEqualTo(8);
        MeshctlProcess.Result down = meshctl(120, "demo", "down");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(down.out()).contains("Demo stopped (" + pids.size() + " processes)");
        // An exited process may stay a zombie until init reaps it; a zombie has no command line.
        assertThat(pids).allSatisfy(pid -> assertThat(runs(pid)).as("pid %d", pid).isFalse());
        assertThat(dir).doesNotExist();
        MeshctlProcess.Result again = meshctl(30, "demo", "down");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("nothing to do");
    }

    private static boolean runs(long pid) {
        try {
            return Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")).length > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
