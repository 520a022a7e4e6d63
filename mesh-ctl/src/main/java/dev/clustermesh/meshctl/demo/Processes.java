package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The demo's processes: started detached ({@code setsid}, stdin from /dev/null, output to a log) so they outlive
 * the {@code meshctl} that started them, and stopped by PID only after checking that the PID still runs one of
 * this demo's commands (its command line names the demo directory), so a recycled PID is never signalled.
 */
public final class Processes {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Processes() {
    }

    /** Starts {@code command} detached, appending its output to {@code log}; returns its PID. */
    public static long spawn(List<String> command, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.addAll(command);
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            return p.pid();
        } catch (IOException e) {
            throw new MeshCtlException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code pid} is alive and its command line contains {@code marker}. */
    public static boolean runs(long pid, String marker) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').contains(marker);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops {@code pid} if it still runs a command containing {@code marker}: SIGTERM, then SIGKILL after
     * {@code grace}. Returns whether it had to be stopped.
     *
     * @throws MeshCtlException when it still runs after SIGKILL
     */
    public static boolean stop(long pid, String marker, Duration grace) {
        return stopAll(List.of(pid), marker, grace) == 1;
    }

    /**
     * Stops every one of {@code pids} that still runs a command containing {@code marker}, all at once: SIGTERM to
     * each, then SIGKILL to those still running after {@code grace}. A process counts as stopped once it has
     * exited, before its parent reaps it (a zombie has no command line), since the demo's processes are
     * re-parented to init and some inits reap only every few seconds. Returns how many it stopped.
     *
     * @throws MeshCtlException naming the PIDs that still run after SIGKILL
     */
    public static int stopAll(List<Long> pids, String marker, Duration grace) {
        List<ProcessHandle> running = new ArrayList<>();
        for (long pid : pids) {
            if (runs(pid, marker)) {
                ProcessHandle.of(pid).ifPresent(running::add);
            }
        }
        running.forEach(ProcessHandle::destroy);
        List<ProcessHandle> left = awaitGone(running, marker, grace);
        left.forEach(ProcessHandle::destroyForcibly);
        left = awaitGone(left, marker, Duration.ofSeconds(5));
        if (!left.isEmpty()) {
            throw new MeshCtlException("processes " + left.stream().map(h -> Long.toString(h.pid())).toList()
                    + " did not stop");
        }
        return running.size();
    }

    private static List<ProcessHandle> awaitGone(List<ProcessHandle> handles, String marker, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcessHandle> left = new ArrayList<>(handles);
        while (true) {
            left.removeIf(h -> !runs(h.pid(), marker));
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return left;
            }
        }
    }

    /**
     * Waits until {@code check} passes, failing with the log's tail when the process dies or time runs out.
     */
    public static void await(String what, long pid, Path log, Duration timeout, java.util.function.BooleanSupplier check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (check.getAsBoolean()) {
                return;
            }
            if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                throw new MeshCtlException(what + " exited while starting; its log " + log + " ends with: "
                        + tail(log, 3));
            }
            if (System.nanoTime() > deadline) {
                throw new MeshCtlException(what + " not ready within " + timeout.toSeconds() + "s; see " + log);
            }
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshCtlException("interrupted while waiting for " + what);
            }
        }
    }

    /** Whether {@code http://127.0.0.1:<port><path>} answers 200. */
    public static boolean httpOk(int port, String path) {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last {@code n} non-blank lines of a log, joined on one line. */
    public static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** An executable on PATH, or a failure naming the Debian package that has it. */
    public static Path binary(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new MeshCtlException("'" + name + "' is not installed; install it with: apt-get install -y "
                + debianPackage);
    }
}
