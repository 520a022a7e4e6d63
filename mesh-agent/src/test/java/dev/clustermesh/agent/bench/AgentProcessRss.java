package dev.clustermesh.agent.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the packaged mesh-agent as its own process against a clusters directory and reads its RSS once synced. */
final class AgentProcessRss {
    private static final Pattern BACKENDS = Pattern.compile("(?m)^mesh_agent_lb_backends (\\S+)");

    private AgentProcessRss() {
    }

    /**
     * The agent's VmRSS in KiB once its LB maps hold at least 95 % of {@code backends} backends (the changes the
     * latency run made leave some services one backend short).
     */
    static long measure(Path clustersDir, long backends, String heap, int apiPort, int managementPort) throws Exception {
        Path jar = Path.of("mesh-agent/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("mesh-agent is not packaged: ./mvnw -pl mesh-agent -am package -DskipTests");
        }
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dmesh.cluster.name=cluster1", "-Dmesh.cluster.id=1",
                "-Dmesh.clusters.dir=" + clustersDir, "-Dmesh.clusters.request-timeout=60s", "-Dquarkus.http.port=" + apiPort,
                "-Dquarkus.management.port=" + managementPort, "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(clustersDir.resolveSibling("agent.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            dev.clustermesh.testing.Eventually.await(Duration.ofMinutes(5), () -> {
                if (!p.isAlive() || backendsIn(http, managementPort) < backends * 0.95) {
                    throw new IllegalStateException("agent process not synced; see "
                            + clustersDir.resolveSibling("agent.log"));
                }
            });
            return rss(p.pid());
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static double backendsIn(HttpClient http, int port) throws InterruptedException {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = BACKENDS.matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
