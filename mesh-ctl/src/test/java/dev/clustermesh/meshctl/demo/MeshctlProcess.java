package dev.clustermesh.meshctl.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the repository's {@code ./meshctl} script as a user would, with stdout and stderr kept apart. */
public final class MeshctlProcess {
    /** What one run printed and returned. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private MeshctlProcess() {
    }

    /** The repository root: the nearest directory up from here holding {@code mvnw}. */
    public static Path repo() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("mvnw")) && Files.exists(d.resolve("meshctl"))) {
                return d;
            }
        }
        throw new IllegalStateException("no ./meshctl above " + Path.of("").toAbsolutePath());
    }

    public static Result run(long timeoutSeconds, String... args) {
        return run(timeoutSeconds, Map.of(), List.of(args));
    }

    public static Result run(long timeoutSeconds, Map<String, String> env, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo().resolve("meshctl").toString());
        cmd.addAll(args);
        return exec(timeoutSeconds, env, cmd);
    }

    public static Result exec(long timeoutSeconds, Map<String, String> env, List<String> cmd) {
        try {
            Path out = Files.createTempFile("meshctl", ".out");
            Path err = Files.createTempFile("meshctl", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeoutSeconds
                            + "s; stdout: " + Files.readString(out) + " stderr: " + Files.readString(err));
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
