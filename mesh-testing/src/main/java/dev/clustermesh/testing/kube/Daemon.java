package dev.clustermesh.testing.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One long-running peer process with its log file; restartable with the same command. */
final class Daemon implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Path log;
    private final Thread hook;
    private Process process;

    private Daemon(String name, List<String> command, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
        this.hook = new Thread(this::killNow, name + "-shutdown");
    }

    static Daemon start(String name, List<String> command, Path log) {
        Daemon d = new Daemon(name, command, log);
        d.launch();
        Runtime.getRuntime().addShutdownHook(d.hook);
        return d;
    }

    synchronized void launch() {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Fails with the log's tail when the process has exited. */
    synchronized void checkAlive() {
        if (!alive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log " + log + ":\n"
                    + tail(30));
        }
    }

    /** SIGKILL and wait. */
    synchronized void killNow() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last lines of the log. */
    String tail(int lines) {
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
