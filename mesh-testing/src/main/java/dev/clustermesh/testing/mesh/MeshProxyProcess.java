package dev.clustermesh.testing.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The packaged mesh-proxy ({@code mesh-proxy/target/quarkus-app/quarkus-run.jar}) run as a real process with
 * {@code -D} properties; it can be killed with SIGKILL and restarted with the same properties and ports.
 */
public final class MeshProxyProcess implements AutoCloseable {
    /** One client for every metrics read (a client's selector thread lives until it is collected). */
    private static final HttpClient METRICS = HttpClient.newHttpClient();
    private final Map<String, String> properties;
    private final int managementPort;
    private final Path log;
    private final String heap;
    private Process process;

    private MeshProxyProcess(Map<String, String> properties, int managementPort, Path log, String heap) {
        this.properties = new TreeMap<>(properties);
        this.managementPort = managementPort;
        this.log = log;
        this.heap = heap;
    }

    /**
     * Starts the proxy and waits until its readiness check passes (the cache has listed etcd).
     *
     * @throws IllegalStateException when the jar is missing (with the build command) or it does not get ready
     */
    public static MeshProxyProcess start(Map<String, String> properties, int managementPort, Path log) {
        return start(properties, managementPort, log, "256m");
    }

    /**
     * As {@link #start(Map, int, Path)}, with the JVM's maximum heap ({@code -Xmx}) set to {@code heap}, e.g.
     * {@code 128m} as the demo runs the proxy.
     */
    public static MeshProxyProcess start(Map<String, String> properties, int managementPort, Path log, String heap) {
        MeshProxyProcess p = new MeshProxyProcess(properties, managementPort, log, heap);
        p.launch();
        return p;
    }

    /** The process ID, for reading its memory use from {@code /proc}. */
    public long pid() {
        return process.pid();
    }

    /** The packaged application, or a failure naming the command that builds it. */
    public static Path jar() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        Path jar = dir == null ? Path.of("mesh-proxy/target/quarkus-app/quarkus-run.jar")
                : dir.resolve("mesh-proxy/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("mesh-proxy is not packaged at " + jar
                    + "; build it with: ./mvnw -pl mesh-proxy -am package -DskipTests");
        }
        return jar;
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar().toString()));
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start mesh-proxy", e);
        }
        awaitReady(Duration.ofSeconds(60));
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mesh-proxy exited with " + process.exitValue() + "; log " + log
                        + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for mesh-proxy", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for mesh-proxy", e);
            }
        }
        throw new IllegalStateException("mesh-proxy not ready within " + timeout + "; log " + log + ":\n" + tail());
    }

    /** SIGKILL: the process dies without closing anything. */
    public synchronized void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts again with the same properties and ports; waits until ready. */
    public synchronized void restart() {
        kill();
        launch();
    }

    /** The value of the first Prometheus sample named {@code metric} (its labels ignored), NaN when absent. */
    public double metric(String metric) {
        try {
            HttpResponse<String> r = METRICS.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + managementPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.body().lines().filter(l -> l.startsWith(metric + " ") || l.startsWith(metric + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                    .orElse(Double.NaN);
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The last lines of the proxy's log. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
