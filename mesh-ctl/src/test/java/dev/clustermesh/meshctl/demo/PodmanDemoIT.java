package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The root demo with {@code --runtime podman}: the images {@code scripts/images.sh} builds from this build's packages
 * run etcd, mesh-proxy, mesh-agent and mesh-dns as containers, and everything the process demo does works the same:
 * status, service list and DNS in {@code demo up}'s output, real curl from x-wing through the agent's nftables,
 * scale, annotate, and {@code demo apply} of a cross-cluster policy; the endpoints the k8s/ probes use answer inside each container; {@code demo stop}/{@code start}
 * replaces a container; {@code demo down} leaves no container, process or namespace. Prints start-up time and RSS per
 * container (docs/benchmarks.md has both runtimes side by side, from bench/demo-runtimes.sh). Needs root, podman and
 * network access to the Debian mirror the first time (scripts/images.sh makes the base image).
 */
@Timeout(900)
class PodmanDemoIT {
    /** What each role's k8s/ probes ask, by the demo's port name. */
    private static final Map<String, List<String>> PROBES = Map.of(
            "mesh-proxy", List.of("proxy-management", "/q/health/started", "/q/health/live", "/q/health/ready",
                    "/metrics"),
            "mesh-agent", List.of("agent-management", "/q/health/started", "/q/health/live", "/q/health/ready",
                    "/metrics"),
            "mesh-dns", List.of("dns-management", "/q/health/started", "/q/health/live", "/q/health/ready", "/metrics"),
            "etcd", List.of("etcd", "/health"));
    private static RootDemo demo;

    @BeforeAll
    static void buildImages() throws IOException {
        demo = RootDemo.prepare("PodmanDemoIT");
        // The images are made from the packages this build just tested, so the containers run this code.
        Command.Result images = Command.run(Duration.ofMinutes(8), Map.of(),
                List.of("bash", demo.root.resolve("scripts/images.sh").toString(), "--skip-build"));
        assertThat(images.exitCode()).as("scripts/images.sh --skip-build:\n%s", images.output()).isZero();
        System.out.println("PodmanDemoIT: " + images.output().lines().reduce((a, b) -> b).orElse(""));
    }

    @AfterAll
    static void down() {
        if (demo != null) {
            demo.down();
        }
    }

    @Test
    void theDemoRunsFromTheImagesAsItDoesFromProcesses() throws IOException {
        long start = System.nanoTime();
        Command.Result up = demo.meshctl("demo", "up", "--dir", demo.dir.toString(), "--port-base", "0",
                "--dns-port", "0", "--datapath", "nftables", "--runtime", "podman");
        long upMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(up.exitCode()).as("demo up:\n%s", up.output()).isZero();
        assertThat(up.output()).contains("✅ All 2 clusters connected and synced", "(podman containers ",
                "10.10.1.11:80/TCP cluster1 (active)", "10.20.1.12:80/TCP cluster2 (active)",
                "rebel-base.default.svc.clusterset.local.\tA\t10.11.0.10").containsPattern(RootDemo.CLUSTER);

        JsonNode status = demo.status();
        assertThat(status.get("runtime").asText()).isEqualTo("podman");
        String prefix = status.get("netPrefix").asText();
        Map<String, String> containers = new LinkedHashMap<>();
        status.get("clusters").forEach(c -> c.get("processes").forEach(p -> {
            if (p.has("container")) {
                containers.put(p.get("container").asText(), p.get("role").asText());
            }
        }));
        assertThat(containers).hasSize(8);
        assertThat(podmanPs(false)).containsExactlyInAnyOrderElementsOf(containers.keySet().stream()
                .map(n -> n + " " + DemoLaunch.IMAGES.get(containers.get(n))).toList());

        Map<String, Integer> ports = probesAnswerInside(prefix);
        StringBuilder rss = new StringBuilder("PodmanDemoIT: demo up " + upMillis + " ms; RSS MiB:");
        containers.keySet().forEach(n -> rss.append(' ').append(n.substring(prefix.length() + 1)).append('=')
                .append(rssMiB(n)));
        System.out.println(rss);

        demo.seedWalkThrough();
        // demo apply of Cilium's cross-cluster policy: the agents in their containers program it on real packets.
        new DemoPolicySteps(args -> demo.demo(args.get(0), args.subList(1, args.size()).toArray(String[]::new)),
                demo.dir, demo.root.resolve("docs/examples/demo"), status).crossClusterPolicy();

        stopAndStartReplacesTheContainer(prefix + "-cluster2-mesh-proxy", ports);

        Command.Result down = demo.demo("down");
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(podmanPs(true)).isEmpty();
        assertThat(RootDemo.netnsList()).noneMatch(ns -> ns.startsWith(prefix));
        assertThat(demo.dir).doesNotExist();
    }

    /** The k8s/ probes' paths answer 200 inside each container; returns each container's probed port. */
    private static Map<String, Integer> probesAnswerInside(String prefix) throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String cluster : List.of("cluster1", "cluster2")) {
            for (String role : PROBES.keySet()) {
                String container = prefix + "-" + cluster + "-" + role;
                List<String> probe = PROBES.get(role);
                int port = port(cluster, probe.get(0));
                for (String path : probe.subList(1, probe.size())) {
                    assertThat(httpInside(container, port, path)).as("%s %s inside %s", role, path, container)
                            .startsWith("HTTP/1.0 200");
                }
                ports.put(container, port);
            }
        }
        return ports;
    }

    /** A stopped container is gone (--rm); start makes it again and it serves again. */
    private static void stopAndStartReplacesTheContainer(String proxy, Map<String, Integer> ports) {
        Command.Result stop = demo.demo("stop", "cluster2", "mesh-proxy");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(podmanPs(true)).noneMatch(l -> l.startsWith(proxy + " "));
        Command.Result restart = demo.demo("start", "cluster2");
        assertThat(restart.exitCode()).as(restart.output()).isZero();
        assertThat(restart.output()).contains("started mesh-proxy");
        assertThat(podmanPs(false)).contains(proxy + " " + DemoLaunch.IMAGES.get("mesh-proxy"));
        Eventually.await(RootDemo.CONVERGE, () -> assertThat(httpInside(proxy, ports.get(proxy), "/q/health/ready"))
                .startsWith("HTTP/1.0 200"));
        demo.onlyAnswers("cluster2");
    }

    /** "name image" of each running container labelled with this demo's directory, or of every one ({@code all}). */
    private static List<String> podmanPs(boolean all) {
        List<String> cmd = new ArrayList<>(List.of("podman", "ps", "--filter", "label=" + DemoLaunch.LABEL
                + "=" + demo.dir.toAbsolutePath().normalize(), "--format", "{{.Names}} {{.Image}}"));
        if (all) {
            cmd.add("-a");
        }
        Command.Result r = Command.run(Duration.ofSeconds(30), Map.of(), cmd);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output().lines().filter(l -> !l.isBlank()).toList();
    }

    /** An HTTP/1.0 GET from inside {@code container} (bash's /dev/tcp; the images carry no curl): status line on. */
    private static String httpInside(String container, int port, String path) {
        Command.Result r = Command.run(Duration.ofSeconds(20), Map.of(), List.of("podman", "exec", container, "bash",
                "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " && printf 'GET " + path
                        + " HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && cat <&3"));
        return r.output().replace("HTTP/1.1", "HTTP/1.0");
    }

    private static int port(String cluster, String name) throws IOException {
        JsonNode state = new ObjectMapper().readTree(
                Files.readString(demo.dir.resolve(DemoState.FILE)));
        for (JsonNode c : state.get("clusters")) {
            if (c.get("name").asText().equals(cluster)) {
                return c.get("ports").get(name).asInt();
            }
        }
        throw new AssertionError("no " + cluster + " in " + state);
    }

    /** The resident memory of the container's main process, from /proc. */
    private static long rssMiB(String container) {
        Command.Result pid = Command.run(Duration.ofSeconds(20), Map.of(),
                List.of("podman", "inspect", "-f", "{{.State.Pid}}", container));
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid.output().strip(), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
