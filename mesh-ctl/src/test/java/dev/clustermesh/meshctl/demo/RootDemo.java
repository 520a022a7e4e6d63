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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Drives a root demo (datapath nftables) through the real {@code ./meshctl} script, for {@link DemoNetnsIT} (processes)
 * and {@link PodmanDemoIT} (containers): the walk-through's steps and what they must change on real packets.
 */
final class RootDemo {
    static final Duration COMMAND = Duration.ofMinutes(4);
    static final Duration CONVERGE = Duration.ofSeconds(60);
    static final String URL = "http://rebel-base.default.svc.clusterset.local/";
    static final Pattern CLUSTER = Pattern.compile("\"Cluster\": \"(cluster\\d)\"");
    private static final Pattern POD_ANSWER = Pattern.compile("\"Cluster\": \"(cluster\\d)\", \"Pod\": \"([^\"]+)\"");
    private static final int IN_A_ROW = 10;

    final Path root;
    final Path dir;

    private RootDemo(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    /** Fails loudly unless run as root with meshctl and the services packaged; makes a fresh demo directory. */
    static RootDemo prepare(String test) throws IOException {
        Command.Result id = Command.run(Duration.ofSeconds(10), Map.of(), List.of("id", "-u"));
        if (!id.output().strip().equals("0")) {
            throw new IllegalStateException(test + " runs the root demo (network namespaces, nftables) and must "
                    + "run as root, as CI does: sudo ./mvnw -pl mesh-ctl verify -Dtest=" + test);
        }
        Path root = repositoryRoot();
        requirePackaged(root);
        return new RootDemo(root, Files.createTempDirectory(test.toLowerCase() + "-"));
    }

    /** {@code meshctl demo <verb> --dir <dir> <args...>}. */
    Command.Result demo(String verb, String... args) {
        List<String> all = new ArrayList<>(List.of("demo", verb, "--dir", dir.toString()));
        all.addAll(List.of(args));
        return meshctl(all.toArray(String[]::new));
    }

    Command.Result meshctl(String... args) {
        return meshctl(Map.of(), args);
    }

    Command.Result meshctl(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("meshctl").toString()));
        cmd.addAll(List.of(args));
        return Command.run(COMMAND, env, cmd);
    }

    void down() {
        demo("down");
    }

    /** The service {@code name} as {@code meshctl service list -o json} shows it in {@code context}'s agent. */
    JsonNode service(String context, String name) throws IOException {
        Command.Result r = meshctl("service", "list", "--context", context, "-o", "json", "--demo-dir", dir.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        for (JsonNode s : new ObjectMapper().readTree(r.output()).path("services")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no " + name + " in " + r.output());
    }

    /**
     * "cluster/pod" → answers to {@code requests} requests from {@code cluster}'s x-wing: one curl, a new connection
     * per request ({@code Connection: close}), so each is a new pick of the slot map.
     */
    Map<String, Integer> answersByPod(String cluster, int requests) {
        Command.Result r = demo("exec", cluster, "x-wing", "--", "sh", "-c", "curl -s --max-time 2 -H "
                + "'Connection: close' -w '\\n' '" + URL + "?[1-" + requests + "]'; true");
        assertThat(r.exitCode()).as(r.output()).isZero();
        Map<String, Integer> out = new TreeMap<>();
        Matcher m = POD_ANSWER.matcher(r.output());
        while (m.find()) {
            out.merge(m.group(1) + "/" + m.group(2), 1, Integer::sum);
        }
        return out;
    }

    void scale(String cluster, int replicas) {
        Command.Result r = demo("scale", cluster, "rebel-base", Integer.toString(replicas));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    void annotate(String cluster, String annotation) {
        Command.Result r = demo("annotate", cluster, "rebel-base", annotation);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    /**
     * The seed's steps on real packets: cluster1's x-wing reaches both clusters; cluster2 scaled to 0, only cluster1
     * answers; back to 2 with cluster1's affinity remote, only cluster2 answers.
     */
    void seedWalkThrough() {
        answersFromBoth();
        scale("cluster2", 0);
        onlyAnswers("cluster1");
        scale("cluster2", 2);
        annotate("cluster1", "service.cilium.io/affinity=remote");
        onlyAnswers("cluster2");
    }

    /** Waits until cluster1's x-wing has reached rebel-base in both clusters. */
    void answersFromBoth() {
        Set<String> seen = new TreeSet<>();
        Eventually.await(CONVERGE, () -> {
            seen.addAll(answers("cluster1", 1));
            assertThat(seen).containsExactly("cluster1", "cluster2");
        });
    }

    /** Waits until {@value #IN_A_ROW} requests in a row reach {@code cluster}, then checks that the next ones do. */
    void onlyAnswers(String cluster) {
        onlyAnswers(cluster, URL);
    }

    /** As {@link #onlyAnswers(String)}, for another URL. */
    void onlyAnswers(String cluster, String url) {
        Eventually.await(CONVERGE, () -> assertThat(answers("cluster1", IN_A_ROW, url)).containsExactly(cluster));
        assertThat(answers("cluster1", IN_A_ROW, url)).containsExactly(cluster);
    }

    /** The clusters that answered {@code n} requests from {@code cluster}'s x-wing, by name through mesh-dns. */
    Set<String> answers(String cluster, int n) {
        return answers(cluster, n, URL);
    }

    /** The clusters that answered {@code n} requests for {@code url} from {@code cluster}'s x-wing. */
    Set<String> answers(String cluster, int n, String url) {
        Command.Result r = demo("exec", cluster, "x-wing", "--", "sh", "-c",
                "for i in $(seq " + n + "); do curl -s --max-time 2 " + url + " || echo \"curl exit $?\"; echo; done");
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

    JsonNode status() throws IOException {
        Command.Result r = demo("status", "-o", "json");
        assertThat(r.exitCode()).as(r.output()).isZero();
        return new ObjectMapper().readTree(r.output());
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<String> netnsList() {
        return Command.run(Duration.ofSeconds(10), Map.of(), List.of("ip", "netns", "list")).output().lines()
                .map(l -> l.split(" ")[0]).toList();
    }

    /** Whether {@code pid} still runs one of the demo's commands (they all name the demo directory). */
    static boolean runsDemo(long pid, String marker) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).contains(marker);
        } catch (IOException e) {
            return false;
        }
    }

    static Path repositoryRoot() {
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
    static void requirePackaged(Path root) throws IOException {
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
