package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clustermesh.testing.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private static RootDemo demo;

    @BeforeAll
    static void requireRootAndBuild() throws IOException {
        demo = RootDemo.prepare("DemoNetnsIT");
    }

    @AfterAll
    static void down() {
        if (demo != null) {
            demo.down();
        }
    }

    @Test
    void rootDemoServesRealRequestsAndLeavesNothingBehind() throws IOException {
        Path dir = demo.dir;
        // A short TTL and backoff, so that the disconnection step sees cluster2 withdrawn and back within seconds;
        // a short request timeout too, since a reconnection attempt holds up the withdrawal until it times out.
        Command.Result up = demo.meshctl(Map.of("MESH_CLUSTERS_TTL", "5s", "MESH_CLUSTERS_MAX_BACKOFF", "2s",
                "MESH_CLUSTERS_REQUEST_TIMEOUT", "5s"), "demo", "up", "--dir", dir.toString(), "--port-base", "0",
                "--dns-port", "0", "--datapath", "nftables");
        assertThat(up.exitCode()).as("demo up:\n%s", up.output()).isZero();
        assertThat(up.output()).contains("$ meshctl demo exec cluster1 x-wing -- curl -s " + RootDemo.URL)
                .containsPattern(RootDemo.CLUSTER);
        JsonNode status = demo.status();
        String prefix = status.get("netPrefix").asText();
        List<String> namespaces = RootDemo.texts(status.get("namespaces"));
        List<Long> pids = new ArrayList<>();
        status.get("clusters").forEach(c -> c.get("processes").forEach(p -> pids.add(p.get("pid").asLong())));
        assertThat(namespaces).hasSize(2 + 2 * 3).allMatch(ns -> ns.startsWith(prefix + "-"));
        assertThat(status.at("/clusters/cluster1/pods").fieldNames()).toIterable()
                .containsExactly("rebel-base-1", "rebel-base-2", "x-wing-1");

        demo.seedWalkThrough();

        DemoPolicySteps policy = new DemoPolicySteps(args -> demo.demo(args.get(0),
                args.subList(1, args.size()).toArray(String[]::new)), dir, demo.root.resolve("docs/examples/demo"),
                status);
        long start = System.nanoTime();
        policy.crossClusterPolicy();
        long cilium = System.nanoTime();
        policy.newPodsDisconnectAndUdp();
        System.out.printf("DemoNetnsIT: Cilium's cross-cluster policy took %d s; new pods, disconnection and UDP "
                + "%d s%n", Duration.ofNanos(cilium - start).toSeconds(), Duration.ofNanos(System.nanoTime() - cilium)
                .toSeconds());

        Command.Result exitCode = demo.demo("exec", "cluster2", "x-wing", "--", "sh", "-c", "exit 3");
        assertThat(exitCode.exitCode()).isEqualTo(3);
        Command.Result unknown = demo.demo("exec", "cluster1", "tie-fighter", "--", "true");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.output().strip()).doesNotContain("\n").startsWith("Error: ")
                .contains("tie-fighter", "rebel-base-1", "x-wing-1");
        Command.Result noProcess = demo.demo("stop", "cluster1", "x-wing");
        assertThat(noProcess.exitCode()).isNotZero();
        assertThat(noProcess.output().strip()).doesNotContain("\n").startsWith("Error: ")
                .contains("x-wing", "mesh-proxy", "rebel-base-1");

        Command.Result down = demo.demo("down");
        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(RootDemo.netnsList()).noneMatch(ns -> ns.startsWith(prefix));
        assertThat(Command.run(Duration.ofSeconds(10), Map.of(), List.of("ip", "-o", "link", "show")).output())
                .doesNotContain(prefix);
        assertThat(pids).noneMatch(pid -> RootDemo.runsDemo(pid, dir.toString()));
        assertThat(namespaces).noneMatch(ns -> Files.exists(Path.of("/etc/netns", ns)));
        assertThat(dir).doesNotExist();
        Command.Result again = demo.demo("down");
        assertThat(again.exitCode()).as("down is idempotent: %s", again.output()).isZero();
    }
}
