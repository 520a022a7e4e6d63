package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The root demo end to end through the real {@code ./meshctl} script: {@code demo up} in nftables mode builds both
 * clusters in network namespaces, {@code demo exec} curls rebel-base by its clusterset name from an x-wing pod
 * (resolved by mesh-dns, load-balanced by the agent's nftables), the walk-through's scale and affinity steps change
 * who answers, Cilium's cross-cluster policy scenario applied with {@code demo apply} allows and refuses real
 * connections between pods of both clusters, as do pods created later, a disconnected cluster and a UDP-only rule
 * ({@link DemoPolicySteps}), and {@code demo down} leaves no namespace, process or {@code /etc/netns} entry behind. Needs root
 * and the packaged meshctl, proxy, agent and DNS ({@code ./mvnw -B -ntp package -DskipTests}).
 */
@Timeout(540)
class DemoNetnsIT {
    private static final Duration COMMAND = Duration.ofMinutes(4);
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String URL = "http://rebel-base.default.svc.clusterset.local/";
    private static final Pattern CLUSTER = Pattern.compile("\"Cluster\": \"(cluster\\d)\"");
    private static final int IN_A_ROW = 10;

    private static Path root;
    private static Path dir;

    @BeforeAll
    static void requireRootAndBuild() throws IOException {
        Command.Result id = Command.run(Duration.ofSeconds(10), Map.of(), List.of("id", "-u"));
        if (!id.output().strip().equals("0")) {
            throw new IllegalStateException("DemoNetnsIT runs the root demo (network namespaces, nftables) and must "
                    + "run as root, as CI does: sudo ./mvnw -pl mesh-ctl verify -Dtest=DemoNetnsIT");
        }
        root = repositoryRoot();
        requirePackaged(root);
        dir = Files.createTempDirectory("demo-netns-it-");
    }

    @AfterAll
    static void down() {
        if (dir != null) {
            meshctl("demo", "down", "--dir", dir.toString());
        }
    }

    @Test
    void rootDemoServesRealRequestsAndLeavesNothingBehind() throws IOException {
        // A short TTL and backoff, so that the disconnection step sees cluster2 withdrawn and back within seconds;
        // a short request timeout too, since a reconnection attempt holds up the withdrawal until it times out.
        Command.Result up = Command.run(COMMAND, Map.of("MESH_CLUSTERS_TTL", "5s", "MESH_CLUSTERS_MAX_BACKOFF", "2s",
                "MESH_CLUSTERS_REQUEST_TIMEOUT", "5s"),
                List.of(root.resolve("meshctl").toString(), "demo", "up", "--dir", dir.toString(), "--port-base", "0",
                        "--dns-port", "0", "--datapath", "nftables"));
        assertThat(up.exitCode()).as("demo up:\n%s", up.output()).isZero();
        assertThat(up.output()).contains("$ meshctl demo exec cluster1 x-wing -- curl -s " + URL)
                .containsPattern(CLUSTER);
        JsonNode status = status();
        String prefix = status.get("netPrefix").asText();
        List<String> namespaces = texts(status.get("namespaces"));
        List<Long> pids = new ArrayList<>();
        status.get("clusters").forEach(c -> c.get("processes").forEach(p -> pids.add(p.get("pid").asLong())));
        assertThat(namespaces).hasSize(2 + 2 * 3).allMatch(ns -> ns.startsWith(prefix + "-"));
        assertThat(status.at("/clusters/cluster1/pods").fieldNames()).toIterable()
                .containsExactly("rebel-base-1", "rebel-base-2", "x-wing-1");

        Set<String> seen = new TreeSet<>();
        Eventually.await(CONVERGE, () -> {
            seen.addAll(answers("cluster1", 1));
            assertThat(seen).containsExactly("cluster1", "cluster2");
        });

        scale("cluster2", 0);
        onlyAnswers("cluster1");

        scale("cluster2", 2);
        Command.Result annotate = meshctl("demo", "annotate", "--dir", dir.toString(), "cluster1", "rebel-base",
                "service.cilium.io/affinity=remote");
        assertThat(annotate.exitCode()).as(annotate.output()).isZero();
        onlyAnswers("cluster2");

        DemoPolicySteps policy = new DemoPolicySteps(args -> {
            List<String> all = new ArrayList<>(List.of("demo"));
            all.add(args.get(0));
            all.addAll(List.of("--dir", dir.toString()));
            all.addAll(args.subList(1, args.size()));
            return meshctl(all.toArray(String[]::new));
        }, dir, root.resolve("docs/examples/demo"), status);
        long start = System.nanoTime();
        policy.crossClusterPolicy();
        long cilium = System.nanoTime();
        policy.newPodsDisconnectAndUdp();
        System.out.printf("DemoNetnsIT: Cilium's cross-cluster policy took %d s; new pods, disconnection and UDP "
                + "%d s%n", Duration.ofNanos(cilium - start).toSeconds(), Duration.ofNanos(System.nanoTime() - cilium)
                .toSeconds());

        Command.Result exitCode = meshctl("demo", "exec", "--dir", dir.toString(), "cluster2", "x-wing", "--", "sh",
                "-c", "exit 3");
        assertThat(exitCode.exitCode()).isEqualTo(3);
        Command.Result unknown = meshctl("demo", "exec", "--dir", dir.toString(), "cluster1", "tie-fighter", "--",
                "true");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.output().strip()).doesNotContain("\n").startsWith("Error: ")
                .contains("tie-fighter", "rebel-base-1", "x-wing-1");
        Command.Result noProcess = meshctl("demo", "stop", "--dir", dir.toString(), "cluster1", "x-wing");
        assertThat(noProcess.exitCode()).isNotZero();
        assertThat(noProcess.output().strip()).doesNotContain("\n").startsWith("Error: ")
                .contains("x-wing", "mesh-proxy", "rebel-base-1");

        Command.Result down = meshctl("demo", "down", "--dir", dir.toString());
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(netnsList()).noneMatch(ns -> ns.startsWith(prefix));
        assertThat(Command.run(Duration.ofSeconds(10), Map.of(), List.of("ip", "-o", "link", "show")).output())
                .doesNotContain(prefix);
        assertThat(pids).noneMatch(pid -> runsDemo(pid, dir.toString()));
        assertThat(namespaces).noneMatch(ns -> Files.exists(Path.of("/etc/netns", ns)));
        assertThat(dir).doesNotExist();
        Command.Result again = meshctl("demo", "down", "--dir", dir.toString());
        assertThat(again.exitCode()).as("down is idempotent: %s", again.output()).isZero();
    }

    private static void scale(String cluster, int replicas) {
        Command.Result r = meshctl("demo", "scale", "--dir", dir.toString(), cluster, "rebel-base",
                Integer.toString(replicas));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    /** Waits until {@value #IN_A_ROW} requests in a row reach {@code cluster}, then checks that the next ones do. */
    private static void onlyAnswers(String cluster) {
        Eventually.await(CONVERGE, () -> assertThat(answers("cluster1", IN_A_ROW)).containsExactly(cluster));
        assertThat(answers("cluster1", IN_A_ROW)).containsExactly(cluster);
    }

    /** The clusters that answered {@code n} requests from {@code cluster}'s x-wing, by name through mesh-dns. */
    private static Set<String> answers(String cluster, int n) {
        Command.Result r = meshctl("demo", "exec", "--dir", dir.toString(), cluster, "x-wing", "--", "sh", "-c",
                "for i in $(seq " + n + "); do curl -s --max-time 2 " + URL + " || echo \"curl exit $?\"; echo; done");
        assertThat(r.exitCode()).as(r.output()).isZero();
        Set<String> clusters = new TreeSet<>();
        int answered = 0;
        Matcher m = CLUSTER.matcher(r.output());
        while (m.find()) {
            clusters.add(m.group(1));
            answered++;
        }
        assertThat(answered).as("answers to %d requests: %s", n, r.output()).isEqualTo(n);
        return clusters;
    }

    private static JsonNode status() throws IOException {
        Command.Result r = meshctl("demo", "status", "--dir", dir.toString(), "-o", "json");
        assertThat(r.exitCode()).as(r.output()).isZero();
        return new ObjectMapper().readTree(r.output());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> netnsList() {
        return Command.run(Duration.ofSeconds(10), Map.of(), List.of("ip", "netns", "list")).output().lines()
                .map(l -> l.split(" ")[0]).toList();
    }

    /** Whether {@code pid} still runs one of the demo's commands (they all name the demo directory). */
    private static boolean runsDemo(long pid, String marker) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).contains(marker);
        } catch (IOException e) {
            return false;
        }
    }

    private static Command.Result meshctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("meshctl").toString()));
        cmd.addAll(List.of(args));
        return Command.run(COMMAND, Map.of(), cmd);
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("mvnw"))) {
                return d;
            }
        }
        throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
    }

    /**
     * Fails unless meshctl is packaged from the demo classes this build compiled (Maven runs this module's tests
     * after packaging, but a run from an IDE would test whatever jar is lying around). Compares bytes, not times:
     * javac output is the same for the same source, and Maven recompiles unchanged sources often.
     */
    private static void requirePackaged(Path root) throws IOException {
        String build = "./mvnw -B -ntp package -DskipTests (the whole reactor once, then -pl mesh-ctl)";
        for (String module : List.of("mesh-ctl", "mesh-proxy", "mesh-agent", "mesh-dns")) {
            if (!Files.exists(root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"))) {
                throw new IllegalStateException(module + " is not packaged; build it first with: " + build);
            }
        }
        Path app;
        try (Stream<Path> jars = Files.list(root.resolve("mesh-ctl/target/quarkus-app/app"))) {
            app = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        Path classes = root.resolve("mesh-ctl/target/classes");
        Path demo = classes.resolve("dev/clustermesh/meshctl/demo");
        List<String> stale = new ArrayList<>();
        try (ZipFile jar = new ZipFile(app.toFile()); Stream<Path> compiled = Files.list(demo)) {
            for (Path c : compiled.filter(p -> p.toString().endsWith(".class")).toList()) {
                ZipEntry e = jar.getEntry(classes.relativize(c).toString());
                if (e == null) {
                    stale.add(c.getFileName().toString());
                    continue;
                }
                try (InputStream in = jar.getInputStream(e)) {
                    if (!Arrays.equals(Files.readAllBytes(c), in.readAllBytes())) {
                        stale.add(c.getFileName().toString());
                    }
                }
            }
        }
        if (!stale.isEmpty()) {
            throw new IllegalStateException("meshctl's package " + app + " differs from the compiled " + stale
                    + "; package it first with: " + build);
        }
    }
}
