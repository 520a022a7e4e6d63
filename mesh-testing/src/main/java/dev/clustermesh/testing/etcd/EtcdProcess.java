package dev.clustermesh.testing.etcd;

import dev.clustermesh.testing.Binaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-member etcd server on free {@code 127.0.0.1} ports.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #start()}, {@link Builder#start()} and {@link #restart()} return only once
 *       {@code GET /health} answers {@code {"health":"true"}}; otherwise they throw
 *       {@link IllegalStateException} whose message ends with the tail of {@link #logFile()}.</li>
 *   <li>If {@code etcd} is not on the {@code PATH}, starting throws {@link IllegalStateException}
 *       naming {@link #INSTALL_COMMAND}.</li>
 *   <li>The client, peer and metrics ports are fixed for the life of the object:
 *       {@link #restart()} reuses them and the data directory, so data written before a
 *       {@link #kill()} is visible after the restart.</li>
 *   <li>{@link #close()} stops etcd and deletes the data directory and the log. The data
 *       directory belongs to this object from start to close, even when the caller chose it.</li>
 * </ul>
 * etcd runs with its defaults otherwise: no auto-compaction, a 2 GiB backend quota. Health is
 * polled on a separate plain-HTTP metrics port, so readiness works whether or not the client port
 * uses TLS. Methods are thread-safe.
 */
public final class EtcdProcess implements AutoCloseable {

    /** Installs {@code etcd} and {@code etcdctl} on Debian; quoted when {@code etcd} is missing. */
    public static final String INSTALL_COMMAND =
            "apt-get update && apt-get install -y etcd-server etcd-client";

    private static final String NAME = "mesh-testing";
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    private final Path binary;
    private final Path dataDir;
    private final EtcdLog log;
    private final String clientScheme;
    private final List<String> extraArgs;
    private final Duration readyTimeout;
    private final Thread shutdownHook;
    private Ports ports;
    private volatile Process process;
    private boolean closed;

    private EtcdProcess(Builder builder, Path binary, Path dataDir, Path logFile) {
        this.binary = binary;
        this.dataDir = dataDir;
        this.log = new EtcdLog(logFile);
        this.clientScheme = builder.tlsArgs.isEmpty() ? "http" : "https";
        this.extraArgs = Stream.concat(builder.tlsArgs.stream(), builder.extraArgs.stream()).toList();
        this.readyTimeout = builder.readyTimeout;
        // A crashed or timed-out test JVM must not leave etcd running behind it.
        this.shutdownHook = new Thread(this::destroyForcibly, "etcd-" + NAME + "-shutdown");
    }

    /** Starts etcd with a fresh temporary data directory; see {@link Builder#start()}. */
    public static EtcdProcess start() {
        return builder().start();
    }

    /**
     * Starts etcd on {@code dataDir}, which may hold data from an earlier run and is deleted by
     * {@link #close()}; see {@link Builder#start()}.
     */
    public static EtcdProcess start(Path dataDir) {
        return builder().dataDir(dataDir).start();
    }

    /** Returns a builder for options such as client TLS or extra etcd flags. */
    public static Builder builder() {
        return new Builder();
    }

    /** Client URL for etcd clients, e.g. {@code http://127.0.0.1:43121}. */
    public synchronized String endpoint() {
        return clientScheme + "://127.0.0.1:" + ports.client();
    }

    /** Client port on {@code 127.0.0.1}; unchanged by {@link #restart()}. */
    public synchronized int clientPort() {
        return ports.client();
    }

    /** The data directory etcd runs on. */
    public Path dataDir() {
        return dataDir;
    }

    /** File receiving etcd's stdout and stderr across every start and restart. */
    public Path logFile() {
        return log.file();
    }

    /** Whether the etcd process is alive (it may still be starting up). */
    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /**
     * Stops etcd gracefully with SIGTERM and waits for it to exit; escalates to SIGKILL after 30 s.
     * Does nothing if etcd is not running.
     */
    public synchronized void stop() {
        Process current = process;
        if (current != null && current.isAlive()) {
            current.destroy();
            if (!waitFor(current)) {
                kill();
            }
        }
    }

    /** Kills etcd with SIGKILL, as a crash would, and waits for it to exit. */
    public synchronized void kill() {
        destroyForcibly();
        Process current = process;
        if (current != null && !waitFor(current)) {
            throw new IllegalStateException("etcd pid " + current.pid() + " survived SIGKILL");
        }
    }

    /**
     * Stops etcd if it is running, then starts it again on the same data directory and ports and waits until it
     * is healthy.
     *
     * @throws IllegalStateException if closed, or if etcd does not become healthy, e.g. because another process
     *         took one of its ports meanwhile; the message then has the log tail
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException(this + " is closed; its data directory is gone");
        }
        stop();
        awaitReady(launch());
    }

    /** As {@link #restart()} after a SIGKILL and the loss of the data directory: every key gone, revisions anew. */
    public synchronized void restartEmpty() {
        kill();
        deleteRecursively(dataDir);
        restart();
    }

    /** The last {@code maxLines} lines of {@link #logFile()}, without the warnings readiness polling causes. */
    public String logTail(int maxLines) {
        return log.tailFrom(0, maxLines);
    }

    /** Stops etcd, then deletes the data directory and the log. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        try {
            stop();
        } finally {
            removeShutdownHook();
            deleteRecursively(dataDir);
            deleteRecursively(log.file().getParent());
        }
    }

    @Override
    public String toString() {
        return "EtcdProcess[" + (ports == null ? "unstarted" : endpoint()) + ", " + dataDir + "]";
    }

    private void startOnFreePorts() {
        for (int attempt = 1; ; attempt++) {
            ports = Ports.allocate();
            long logOffset = launch();
            try {
                awaitReady(logOffset);
                return;
            } catch (IllegalStateException e) {
                // Ports.allocate() releases its ports before etcd binds them; someone may win the race.
                boolean portTaken = !isRunning() && log.readFrom(logOffset).contains("address already in use");
                if (!portTaken || attempt == START_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Starts the etcd process and returns the log offset where its output begins. */
    private long launch() {
        try {
            long logOffset = log.size();
            ProcessBuilder builder = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(log.file().toFile()));
            // etcd also reads ETCD_* variables; a developer's shell must not change the test server.
            builder.environment().keySet().removeIf(name -> name.startsWith("ETCD_"));
            process = builder.start();
            return logOffset;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    private List<String> command() {
        String peerUrl = "http://127.0.0.1:" + ports.peer();
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--name", NAME,
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", NAME + "=" + peerUrl,
                "--initial-cluster-token", NAME,
                "--initial-cluster-state", "new",
                "--listen-metrics-urls", metricsUrl(),
                "--logger", "zap",
                "--log-outputs", "stderr"));
        command.addAll(extraArgs);
        return command;
    }

    private void awaitReady(long logOffset) {
        Instant deadline = Instant.now().plus(readyTimeout);
        while (!isHealthy()) {
            Process current = process;
            if (!current.isAlive()) {
                throw notReady("exited with code " + current.exitValue(), logOffset);
            }
            if (Instant.now().isAfter(deadline)) {
                kill();
                throw notReady("was not healthy within " + readyTimeout, logOffset);
            }
            pause(POLL_INTERVAL);
        }
    }

    private boolean isHealthy() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(metricsUrl() + "/health"))
                .timeout(Duration.ofSeconds(1))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"health\":\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for etcd", e);
        }
    }

    private IllegalStateException notReady(String reason, long logOffset) {
        return new IllegalStateException("etcd at " + endpoint() + " (data dir " + dataDir + ") "
                + reason + "; last lines of " + log.file() + ":\n" + log.tailFrom(logOffset, LOG_TAIL_LINES));
    }

    private String metricsUrl() {
        return "http://127.0.0.1:" + ports.metrics();
    }

    private void destroyForcibly() {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
        }
    }

    private static boolean waitFor(Process target) {
        try {
            return target.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for etcd to exit", e);
        }
    }

    private static void pause(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for etcd", e);
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook runs anyway.
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /**
     * Options for an {@link EtcdProcess}. A builder may start several processes; each gets its own
     * ports, log and, unless {@link #dataDir} is set, its own data directory.
     */
    public static final class Builder {

        private Path dataDir;
        private final List<String> tlsArgs = new ArrayList<>();
        private final List<String> extraArgs = new ArrayList<>();
        private Duration readyTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Runs etcd on {@code dataDir} (created if absent) instead of a fresh temporary directory. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /**
         * Serves clients over TLS and requires client certificates signed by {@code trustedCaPem};
         * {@link #endpoint()} then starts with {@code https://}. Peer and health traffic stay plain.
         */
        public Builder clientTls(Path certPem, Path keyPem, Path trustedCaPem) {
            tlsArgs.clear();
            tlsArgs.addAll(List.of("--cert-file", certPem.toString(), "--key-file", keyPem.toString(),
                    "--trusted-ca-file", trustedCaPem.toString(), "--client-cert-auth"));
            return this;
        }

        /** Appends flags to the etcd command line; a flag given here overrides the default. */
        public Builder extraArgs(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /** How long start and restart wait for {@code /health}; 30 s by default. */
        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = Objects.requireNonNull(readyTimeout, "readyTimeout");
            return this;
        }

        /**
         * Starts etcd and waits until it is healthy.
         *
         * @throws IllegalStateException if {@code etcd} is not on the {@code PATH} (the message names
         *                               {@link #INSTALL_COMMAND}) or does not become healthy (the
         *                               message has the log tail); nothing is left running
         */
        public EtcdProcess start() {
            Path binary = Binaries.require("etcd", INSTALL_COMMAND);
            EtcdProcess etcd;
            try {
                Path dir = dataDir != null ? dataDir : Files.createTempDirectory("etcd-data-");
                Path logDir = Files.createTempDirectory("etcd-log-");
                etcd = new EtcdProcess(this, binary, dir, logDir.resolve("etcd.log"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create etcd directories", e);
            }
            Runtime.getRuntime().addShutdownHook(etcd.shutdownHook);
            try {
                etcd.startOnFreePorts();
                return etcd;
            } catch (RuntimeException e) {
                etcd.close();
                throw e;
            }
        }
    }
}
