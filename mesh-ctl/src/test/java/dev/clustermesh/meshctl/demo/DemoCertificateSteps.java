package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clustermesh.pki.Pem;
import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The access list and certificate steps of {@link DemoIT}, with the real processes: {@code demo disconnect} refuses
 * the other cluster's certificate at once and withdraws its services, {@code demo connect --pin} lets it back in
 * pinned, and {@code demo rotate-certs} rolls the CA over while nothing restarts and every cluster stays synced.
 */
final class DemoCertificateSteps {
    private static final Duration REVOKED_WITHIN = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<List<String>, MeshctlProcess.Result> meshctl;
    private final Path dir;

    /**
     * @param meshctl runs meshctl with these arguments on the test's demo ({@code --dir}/{@code --demo-dir} added)
     * @param dir the demo's state directory
     */
    DemoCertificateSteps(Function<List<String>, MeshctlProcess.Result> meshctl, Path dir) {
        this.meshctl = meshctl;
        this.dir = dir;
    }

    void disconnectRefusesTheOtherClusterAtOnceAndConnectLetsItBackPinned() throws Exception {
        Map<String, String> asCluster2 = env("cluster1", "--as-remote");
        assertThat(etcdctl(asCluster2).exitCode()).as("cluster2's certificate reads cluster1 while connected").isZero();

        MeshctlProcess.Result off = run("demo", "disconnect", "cluster1", "cluster2");
        assertThat(off.exitCode()).as(off.toString()).isZero();
        long start = System.nanoTime();
        Eventually.await(REVOKED_WITHIN, () -> assertThat(etcdctl(asCluster2).err()).contains("permission denied"));
        System.out.printf("demo disconnect: cluster2's certificate refused by cluster1's proxy after %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
        Eventually.await(WAIT, () -> assertThat(clusters("cluster1")).containsExactly("cluster1"));

        MeshctlProcess.Result on = run("demo", "connect", "cluster1", "cluster2", "--pin");
        assertThat(on.exitCode()).as(on.toString()).isZero();
        assertThat(on.out()).contains("(pinned to key spki-sha256 ");
        assertThat(Files.readString(dir.resolve("cluster1/access.yaml"))).contains("- name: cluster2",
                "spki-sha256: [\"");
        Eventually.await(WAIT, () -> assertThat(etcdctl(asCluster2).exitCode()).isZero());
        Eventually.await(WAIT, () -> assertThat(json(run("status", "--context", "cluster1", "-o", "json"))
                .path("ready").asBoolean()).isTrue());
    }

    void rotateCertsRollsTheCaOverWhileNothingRestarts() throws Exception {
        List<Long> before = pids();
        String oldCa = serial(dir.resolve("pki/ca.crt"));
        MeshctlProcess.Result rotate = run("demo", "rotate-certs");
        assertThat(rotate.exitCode()).as(rotate.toString()).isZero();
        assertThat(rotate.out()).contains("1/3 Trust bundle", "2/3 The same keys", "3/3 Old CA dropped",
                "cluster1's proxy refuses a certificate of the old CA", "✅ Rotated to CA");
        String newCa = serial(dir.resolve("pki/ca.crt"));
        assertThat(newCa).isNotEqualTo(oldCa);
        assertThat(pids()).as("no process restarted").isEqualTo(before);

        for (String context : List.of("cluster1", "cluster2")) {
            JsonNode s = json(run("status", "--context", context, "--wait", "--timeout", "30s", "-o", "json"));
            assertThat(s.path("ready").asBoolean()).isTrue();
            for (JsonNode c : s.path("clusters")) {
                List<String> cas = new ArrayList<>();
                c.path("certificates").forEach(x -> {
                    if (x.path("role").asText().equals("ca")) {
                        cas.add(x.path("serial").asText());
                    }
                });
                assertThat(cas).as(context + " → " + c.path("name").asText()).containsExactly(newCa);
            }
        }
        assertThat(etcdctl(env("cluster2")).exitCode()).as("the demo's env reads with the new certificates").isZero();
        assertThat(etcdctl(env("cluster1", "--as-remote")).exitCode())
                .as("cluster2's re-signed certificate kept its key: cluster1's key pin still lets it in").isZero();
        // The new certificates run for a year: no warning by default, one per certificate within 400 days.
        assertThat(run("status", "--context", "cluster1").out()).doesNotContain("⚠️");
        assertThat(run("status", "--context", "cluster1", "--certificate-warning", "400d").out())
                .contains("⚠️  ca certificate CN=ClusterMesh/J demo CA", "for cluster1, cluster2 expires in 36");
    }

    private List<Long> pids() throws Exception {
        List<Long> out = new ArrayList<>();
        json(run("demo", "status", "-o", "json")).path("clusters").forEach(c -> c.path("processes")
                .forEach(p -> out.add(p.path("pid").asLong())));
        return out;
    }

    private List<String> clusters(String context) throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode s = json(run("service", "list", "--context", context, "-o", "json"));
        s.path("services").forEach(svc -> svc.path("backends").forEach(b -> {
            if (!out.contains(b.path("cluster").asText())) {
                out.add(b.path("cluster").asText());
            }
        }));
        return out;
    }

    private static String serial(Path cert) {
        return Pem.readCertificate(cert).getSerialNumber().toString(16);
    }

    private Map<String, String> env(String cluster, String... flags) {
        List<String> args = new ArrayList<>(List.of("demo", "env", cluster));
        args.addAll(List.of(flags));
        MeshctlProcess.Result r = meshctl.apply(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Map<String, String> vars = new HashMap<>();
        r.out().lines().filter(l -> l.startsWith("export ")).forEach(l -> {
            String[] kv = l.substring(7).split("=", 2);
            vars.put(kv[0], kv[1]);
        });
        return vars;
    }

    private static MeshctlProcess.Result etcdctl(Map<String, String> env) {
        String etcdctl = Binaries.require("etcdctl", "apt-get install -y etcd-client").toString();
        return MeshctlProcess.exec(30, env, List.of(etcdctl, "get", "--prefix", "mesh/v1/services/", "--keys-only"));
    }

    private MeshctlProcess.Result run(String... args) {
        return meshctl.apply(List.of(args));
    }

    private static JsonNode json(MeshctlProcess.Result r) throws Exception {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return JSON.readTree(r.out());
    }
}
