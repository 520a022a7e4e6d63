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
 * A packaged service of the project ({@code <module>/target/quarkus-app/quarkus-run.jar}: mesh-proxy, mesh-dns) run
 * as a real process with {@code -D} properties; it can be killed with SIGKILL and restarted with the same properties
 * and ports.
 */
public final class ServiceProcess implements AutoCloseable {
    /** One client for every metrics read (a client's selector thread lives until it is collected). */
    private static final HttpClient METRICS = HttpClient.newHttpClient();
    private final String module;
    private final Map<String, String> properties;
    private final int managementPort;
    private final Path log;
    private final String heap;
    private Process process;

    private ServiceProcess(String module, Map<String, String> properties, int managementPort, Path log, String heap) {
        this.module = module;
        this.properties = new TreeMap<>(properties);
        this.managementPort = managementPort;
        this.log = log;
        this.heap = heap;
    }

    /**
     * Starts mesh-proxy and waits until its readiness check passes (the cache has listed etcd).
     *
     * @throws IllegalStateException when the jar is missing (with the build command) or it does not get ready
     */
    public static ServiceProcess start(Map<String, String> properties, int managementPort, Path log) {
        return start(properties, managementPort, log, "256m");
    }

    /**
     * As {@link #start(Map, int, Path)}, with the JVM's maximum heap ({@code -Xmx}) set to {@code heap}, e.g.
     * {@code 128m} as the demo runs the proxy.
     */
    public static ServiceProcess start(Map<String, String> properties, int managementPort, Path log, String heap) {
        return start("mesh-proxy", properties, managementPort, log, heap);
    }

    /**
     * Starts the packaged service of {@code module} (e.g. {@code mesh-dns}) and waits until its readiness check on
     * {@code managementPort} passes.
     *
     * @throws IllegalStateException when the jar is missing (with the build command) or it does not get ready
     */
    public static ServiceProcess start(String module, Map<String, String> properties, int managementPort, Path log,
            String heap) {
        ServiceProcess p = new ServiceProcess(module, properties, managementPort, log, heap);
        p.launch();
        return p;
    }

    /** The process ID, for reading its memory use from {@code /proc}. */
    public long pid() {
        return process.pid();
    }

    /** The packaged mesh-proxy, or a failure naming the command that builds it. */
    public static Path jar() {
        return jar("mesh-proxy");
    }

    /** The packaged application of {@code module}, or a failure naming the command that builds it. */
    public static Path jar(String module) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        Path relative = Path.of(module, "target", "quarkus-app", "quarkus-run.jar");
        Path jar = dir == null ? relative : dir.resolve(relative);
        if (!Files.exists(jar)) {
            throw new IllegalStateException(module + " is not packaged at " + jar
                    + "; build it with: ./mvnw -pl " + module + " -am package -DskipTests");
        }
        return jar;
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar(module).toString()));
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + module, e);
        }
        try {
            awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            process.destroyForcibly(); // not left running: nobody holds it to close
            throw e;
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + "; log " + log
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
                throw new IllegalStateException("interrupted while waiting for " + module, e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + module, e);
            }
        }
        throw new IllegalStateException(module + " not ready within " + timeout + "; log " + log + ":\n" + tail());
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

    /** The last lines of the service's log. */
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
