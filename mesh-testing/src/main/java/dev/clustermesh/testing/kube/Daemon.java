package dev.clustermesh.testing.kube;

import dev.clustermesh.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One long-running test process with its log file: restartable with the same command and environment, killed by a
 * shutdown hook if the test JVM dies first.
 */
public final class Daemon implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final Thread hook;
    private Process process;

    private Daemon(String name, List<String> command, Map<String, String> env, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.log = log;
        this.hook = new Thread(this::killNow, name + "-shutdown");
    }

    /** Starts {@code command} with the environment plus {@code env}, output appended to {@code log}. */
    public static Daemon start(String name, List<String> command, Map<String, String> env, Path log) {
        Daemon d = new Daemon(name, command, env, log);
        d.launch();
        Runtime.getRuntime().addShutdownHook(d.hook);
        return d;
    }

    /** Starts the command again (after {@link #killNow()}). */
    public synchronized void launch() {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Whether the process runs. */
    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Fails with the log's tail when the process has exited ({@link Eventually.Abort}: no retry mends it). */
    public synchronized void checkAlive() {
        if (!alive()) {
            throw new Eventually.Abort(name + " exited with " + process.exitValue() + "; log " + log + ":\n"
                    + tail(30));
        }
    }

    /** SIGKILL and wait. */
    public synchronized void killNow() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The process ID of the current run. */
    public synchronized long pid() {
        return process.pid();
    }

    /** The log file. */
    public Path log() {
        return log;
    }

    /** The last lines of the log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down already: the hook runs (and finds nothing to kill).
        }
    }
}
