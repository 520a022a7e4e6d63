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
 * manifests, etcdctl and dig against what it runs, and {@code down} leaving nothing behind.
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
        String etcdctl = Binaries.require("etcdctl", "apt-get install -y etcd-client").toString();
        MeshctlProcess.Result get = MeshctlProcess.exec(30, vars, List.of(etcdctl, "get", "--prefix",
                "mesh/v1/services/", "--keys-only"));
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(get.out()).contains("mesh/v1/services/cluster1/default/rebel-base");
    }

    @Test
    @Order(5)
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
    @Order(6)
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
    @Order(7)
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
