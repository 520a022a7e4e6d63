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

/**
 * Runs the packaged mesh-agent as its own process against a clusters directory and reads its memory once synced:
 * RSS, then heap used after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}) and RSS after it.
 */
final class AgentProcessRss {
    private static final Pattern BACKENDS = Pattern.compile("(?m)^mesh_agent_lb_backends (\\S+)");
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");

    /**
     * @param rssKib VmRSS once synced
     * @param heapAfterGcKib heap used right after a full GC
     * @param rssAfterGcKib VmRSS right after that GC
     */
    record Memory(long rssKib, long heapAfterGcKib, long rssAfterGcKib) {
    }

    private AgentProcessRss() {
    }

    /**
     * The agent's memory once its LB maps hold at least 95 % of {@code backends} backends (the changes the
     * latency run made leave some services one backend short).
     */
    static Memory measure(Path clustersDir, long backends, String heap, int apiPort, int managementPort) throws Exception {
        return measure(clustersDir, BACKENDS, backends * 0.95, heap, apiPort, managementPort);
    }

    /** The agent's memory once the gauge {@code metric} (one capture group: its value) reaches {@code atLeast}. */
    static Memory measure(Path clustersDir, Pattern metric, double atLeast, String heap, int apiPort,
            int managementPort) throws Exception {
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
                if (!p.isAlive() || gauge(http, managementPort, metric) < atLeast) {
                    throw new IllegalStateException("agent process not synced; see "
                            + clustersDir.resolveSibling("agent.log"));
                }
            });
            long rss = rss(p.pid());
            jcmd(p.pid(), "GC.run");
            Matcher used = HEAP_USED.matcher(jcmd(p.pid(), "GC.heap_info"));
            if (!used.find()) {
                throw new IllegalStateException("jcmd GC.heap_info printed no heap usage");
            }
            return new Memory(rss, Long.parseLong(used.group(1)), rss(p.pid()));
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static double gauge(HttpClient http, int port, Pattern metric) throws InterruptedException {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = metric.matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(j.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!j.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || j.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
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
