package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network policy steps of {@link DemoNetnsIT}, on real packets between the root demo's pod namespaces, through
 * the agents' {@code inet clustermesh_policy} tables: Cilium's cross-cluster example, pods created later in the
 * other cluster, a disconnected cluster, and a UDP-only rule. A probe that should fail waits at most 2 s (HTTP 1 s).
 */
final class DemoPolicySteps {
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Pattern DROPS = Pattern.compile("counter packets (\\d+) bytes \\d+ drop");
    private static final Set<String> BOTH = Set.of("rebel-base-1", "rebel-base-2");
    private static final String PING = "ping";

    private final Function<List<String>, Command.Result> meshctl;
    private final Path dir;
    private final Path examples;
    private final String prefix;
    private final JsonNode status;
    private long lapStart = System.nanoTime();

    /**
     * @param meshctl runs {@code meshctl demo <args>} on the test's demo ({@code --dir} added)
     * @param dir the demo's state directory
     * @param status {@code demo status -o json} after {@code demo up}
     */
    DemoPolicySteps(Function<List<String>, Command.Result> meshctl, Path dir, Path examples, JsonNode status) {
        this.meshctl = meshctl;
        this.dir = dir;
        this.examples = examples;
        this.status = status;
        this.prefix = status.get("netPrefix").asText();
    }

    /**
     * Cilium's cross-cluster policy scenario: the policy applied in cluster2 lets only cluster1's x-wing reach
     * cluster2's rebel-base pods, its variant without a cluster label only cluster2's own x-wing (default-local),
     * and deleting it lets both through again. The drops happen in cluster2's node, on the forward hook the
     * pod-to-pod route across the underlay passes.
     */
    void crossClusterPolicy() {
        String xwing1 = xwing(1, 1);
        String xwing2 = xwing(2, 1);
        Eventually.await(CONVERGE, () -> {
            assertThat(rebelsReached(xwing1, 2)).isEqualTo(BOTH);
            assertThat(rebelsReached(xwing2, 2)).isEqualTo(BOTH);
        });

        assertThat(apply("cluster2", "rebel-base-policy.yaml"))
                .contains("cluster2: ciliumnetworkpolicy.cilium.io/rebel-base-policy created");
        onlyReaches(xwing1, xwing2, 2);
        assertThat(drops(2)).as("drops in cluster2's node").isPositive();
        // The agent's metrics say which policy let cluster1's x-wing in and that the rest met the default deny.
        Eventually.await(Duration.ofSeconds(40), () -> {
            String metrics = metrics(2);
            assertThat(counted(metrics, "CiliumNetworkPolicy default/rebel-base-policy", "allowed")).isPositive();
            assertThat(counted(metrics, "default-deny", "denied")).isPositive();
        });

        assertThat(apply("cluster2", "rebel-base-policy-local.yaml"))
                .contains("cluster2: ciliumnetworkpolicy.cilium.io/rebel-base-policy configured");
        onlyReaches(xwing2, xwing1, 2);

        assertThat(delete("cluster2", "rebel-base-policy.yaml"))
                .contains("cluster2: ciliumnetworkpolicy.cilium.io/rebel-base-policy deleted");
        Eventually.await(CONVERGE, () -> {
            assertThat(rebelsReached(xwing1, 2)).isEqualTo(BOTH);
            assertThat(rebelsReached(xwing2, 2)).isEqualTo(BOTH);
        });
    }

    /**
     * Issue 13's remaining packet tests, with cluster1's rebel-base open only to cluster2's x-wing pods: pods created
     * in cluster2 afterwards are allowed by their labels once exported (a new x-wing yes, a tie-fighter no); cluster2
     * disconnected (its mesh-proxy stopped) for longer than cluster1's TTL has its pods withdrawn, so its x-wing is
     * refused ("unknown" matches no allow), and allowed again once the proxy is back; a UDP-only rule answers a UDP
     * echo and drops TCP to the same port.
     */
    void newPodsDisconnectAndUdp() {
        lapStart = System.nanoTime();
        assertThat(apply("cluster1", "rebel-base-policy-from-cluster2.yaml"))
                .contains("cluster1: ciliumnetworkpolicy.cilium.io/rebel-base-policy created");
        run("scale", "cluster2", "x-wing", "2");
        assertThat(apply("cluster2", "tie-fighter.yaml")).contains("cluster2: pod tie-fighter 10.20.1.201",
                "cluster2: pod/tie-fighter created");
        JsonNode pods = status(meshctl.apply(List.of("status", "-o", "json"))).at("/clusters/cluster2/pods");
        String newXwing = pods.path("x-wing-2").asText();
        String tieFighter = pods.path("tie-fighter").asText();
        assertThat(newXwing).isEqualTo(xwing(2, 2));
        assertThat(tieFighter).isEqualTo(DemoNetwork.podNsAt(prefix, 2, "10.20.1.201"));
        Eventually.await(CONVERGE, () -> {
            assertThat(rebelsReached(tieFighter, 2)).as("from cluster2's tie-fighter, in cluster2").isEqualTo(BOTH);
            assertThat(rebelsReached(tieFighter, 1)).as("from cluster2's tie-fighter").isEmpty();
            assertThat(rebelsReached(xwing(1, 1), 1)).as("from cluster1's x-wing").isEmpty();
            assertThat(rebelsReached(newXwing, 1)).as("from cluster2's new x-wing").isEqualTo(BOTH);
        });
        assertThat(echo(newXwing, "tcp")).as("TCP echo from cluster2's new x-wing").isTrue();
        lap("new pods");

        run("stop", "cluster2", "mesh-proxy");
        String xwing2 = xwing(2, 1);
        Eventually.await(CONVERGE, () -> {
            long before = drops(1);
            assertThat(rebelsReached(xwing2, 1)).as("from cluster2's x-wing, cluster2 disconnected").isEmpty();
            assertThat(drops(1)).as("drops in cluster1's node").isGreaterThan(before);
        });
        lap("cluster2 withdrawn");
        run("start", "cluster2");
        lap("cluster2's proxy started");
        Eventually.await(CONVERGE, () -> assertThat(rebelsReached(xwing2, 1)).as("from cluster2's x-wing, "
                + "cluster2 back").isEqualTo(BOTH));
        lap("cluster2 back");

        assertThat(apply("cluster1", "rebel-base-policy-echo-udp.yaml"))
                .contains("cluster1: ciliumnetworkpolicy.cilium.io/rebel-base-policy configured");
        Eventually.await(CONVERGE, () -> {
            assertThat(echo(xwing2, "tcp")).as("TCP echo, UDP-only policy").isFalse();
            assertThat(echo(xwing2, "udp")).as("UDP echo, UDP-only policy").isTrue();
        });
        assertThat(rebelsReached(xwing2, 1)).as("HTTP, UDP-only policy").isEmpty();
        assertThat(echo(xwing2, "udp")).as("UDP echo, UDP-only policy").isTrue();
        assertThat(delete("cluster1", "rebel-base-policy-echo-udp.yaml"))
                .contains("cluster1: ciliumnetworkpolicy.cilium.io/rebel-base-policy deleted");
        lap("UDP");
    }

    /** Prints how long the step that just ended took: CI time matters. */
    private void lap(String step) {
        long now = System.nanoTime();
        System.out.printf("DemoPolicySteps: %s took %d ms%n", step, (now - lapStart) / 1_000_000);
        lapStart = now;
    }

    /** Waits until only the pod in {@code allowed} reaches cluster {@code i}'s rebel-base pods, then checks again. */
    private void onlyReaches(String allowed, String refused, int i) {
        Eventually.await(CONVERGE, () -> {
            assertThat(rebelsReached(refused, i)).as("from %s", refused).isEmpty();
            assertThat(rebelsReached(allowed, i)).as("from %s", allowed).isEqualTo(BOTH);
        });
        assertThat(rebelsReached(refused, i)).as("from %s", refused).isEmpty();
    }

    /** The rebel-base pods of cluster {@code i} that answer HTTP to their pod address from the pod namespace {@code ns}. */
    private static Set<String> rebelsReached(String ns, int i) {
        StringBuilder script = new StringBuilder();
        for (int k = 1; k <= 2; k++) {
            // Side by side, so a refused pair costs one connect timeout; each answer is one write, not interleaved.
            script.append("curl -s --connect-timeout 1 --max-time 2 http://")
                    .append(DemoLayout.podIp(i, DemoLayout.SERVICE, k)).append("/ & ");
        }
        script.append("wait");
        Set<String> pods = new TreeSet<>();
        Matcher m = Pattern.compile("\"Cluster\": \"cluster" + i + "\", \"Pod\": \"(rebel-base-\\d)\"")
                .matcher(inPod(ns, script.toString()).output());
        while (m.find()) {
            pods.add(m.group(1));
        }
        return pods;
    }

    /**
     * Whether cluster1's rebel-base-1 echoes {@value #PING} sent from the pod namespace {@code ns} to its echo port
     * over {@code protocol} ({@code tcp} or {@code udp}, bash's {@code /dev/<protocol>}) within 2 s.
     */
    private static boolean echo(String ns, String protocol) {
        String to = "/dev/" + protocol + "/" + DemoLayout.podIp(1, DemoLayout.SERVICE, 1) + "/" + RebelBase.ECHO_PORT;
        Command.Result r = inPod(ns, "timeout 2 bash -c 'exec 3<>" + to + " && printf " + PING + " >&3 && head -c "
                + PING.length() + " <&3'");
        return r.exitCode() == 0 && r.output().equals(PING);
    }

    private static Command.Result inPod(String ns, String script) {
        return Command.run(Duration.ofSeconds(20), Map.of(), List.of("ip", "netns", "exec", ns, "sh", "-c", script));
    }

    /** cluster{@code i}'s agent's Prometheus metrics. */
    private String metrics(int i) throws Exception {
        int port = DemoState.load(dir).cluster("cluster" + i).port(DemoLayout.AGENT_MANAGEMENT);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new AssertionError("cluster" + i + "'s agent metrics on port " + port + ": " + e, e);
        }
    }

    /** The packets {@code mesh_agent_policy_packets_total} counted for a policy's ingress with this verdict. */
    private static double counted(String metrics, String policy, String verdict) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("mesh_agent_policy_packets_total{") && line.contains("policy=\"" + policy + "\"")
                    && line.contains("direction=\"ingress\"") && line.contains("verdict=\"" + verdict + "\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The packets the counted drops of {@code inet clustermesh_policy} in cluster {@code i}'s node have dropped. */
    private long drops(int i) {
        String table = Command.run(Duration.ofSeconds(10), Map.of(), List.of("ip", "netns", "exec",
                DemoNetwork.nodeNs(prefix, i), "nft", "list", "table", "inet", "clustermesh_policy")).output();
        long sum = 0;
        Matcher m = DROPS.matcher(table);
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private String xwing(int i, int k) {
        String ns = DemoNetwork.podNs(prefix, i, DemoLayout.CLIENT, k);
        if (k == 1) {
            assertThat(status.at("/clusters/cluster" + i + "/pods/x-wing-1").asText()).isEqualTo(ns);
        }
        return ns;
    }

    private String apply(String cluster, String example) {
        return run("apply", cluster, examples.resolve(example).toString());
    }

    private String delete(String cluster, String example) {
        return run("delete", cluster, examples.resolve(example).toString());
    }

    private String run(String... args) {
        Command.Result r = meshctl.apply(List.of(args));
        assertThat(r.exitCode()).as("meshctl demo %s: %s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }

    private static JsonNode status(Command.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.output());
        } catch (java.io.IOException e) {
            throw new AssertionError("demo status -o json printed no JSON: " + r.output(), e);
        }
    }
}
