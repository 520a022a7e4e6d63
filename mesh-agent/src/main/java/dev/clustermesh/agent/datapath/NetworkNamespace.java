package dev.clustermesh.agent.datapath;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Where the datapath's host tools ({@code nft}, {@code ip}, {@code bridge}) run: this process's network
 * namespace, or a named one ({@code ip netns exec NAME ...}) for tests and the local demo.
 *
 * @param name the named namespace, empty for this process's own
 */
public record NetworkNamespace(Optional<String> name) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public NetworkNamespace {
        name.ifPresent(n -> {
            if (!NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("'" + n + "' is not a network namespace name");
            }
        });
    }

    /** This process's own namespace. */
    public static NetworkNamespace host() {
        return new NetworkNamespace(Optional.empty());
    }

    /** The namespace {@code ip netns add NAME} created. */
    public static NetworkNamespace named(String name) {
        return new NetworkNamespace(Optional.of(name));
    }

    /** The command line that runs {@code command} in this namespace. */
    public List<String> command(List<String> command) {
        List<String> argv = new ArrayList<>();
        name.ifPresent(n -> argv.addAll(List.of("ip", "netns", "exec", n)));
        argv.addAll(command);
        return argv;
    }

    /**
     * Runs {@code command} in this namespace, feeding it {@code stdin}, and waits for it.
     *
     * @return what it wrote to stdout
     * @throws DatapathException when it cannot start, exits non-zero (the message holds its stderr), or is still
     *         running after {@code timeout} (it is killed)
     */
    public String run(List<String> command, String stdin, Duration timeout) {
        byte[] bytes = stdin.getBytes(StandardCharsets.UTF_8);
        return run(command, in -> in.write(bytes), timeout);
    }

    /** Writes a tool's standard input; the stream is closed afterwards. */
    @FunctionalInterface
    public interface Input {
        /**
         * @throws IOException (or {@link UncheckedIOException}) when the tool stopped reading; its exit
         *         code and stderr then say why
         */
        void writeTo(OutputStream in) throws IOException;
    }

    /**
     * As {@link #run(List, String, Duration)}, with the input written by {@code stdin} while the tool already
     * reads it (for input rendered on the fly).
     */
    public String run(List<String> command, Input stdin, Duration timeout) {
        List<String> argv = command(command);
        File out = null;
        File err = null;
        try {
            out = File.createTempFile("mesh-datapath-", ".out");
            err = File.createTempFile("mesh-datapath-", ".err");
            // Files rather than pipes: a tool writing much to stderr while we still write its stdin cannot block.
            Process p = new ProcessBuilder(argv).redirectOutput(out).redirectError(err).start();
            try (OutputStream in = p.getOutputStream()) {
                stdin.writeTo(in);
            } catch (IOException | UncheckedIOException e) {
                // The tool exited before reading all input; its exit code and stderr say why.
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new DatapathException(String.join(" ", argv) + ": no answer within " + timeout, null);
            }
            String errText = Files.readString(err.toPath(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new DatapathException(String.join(" ", argv) + " exited with " + p.exitValue() + ": "
                        + (errText.isEmpty() ? "(no output)" : errText), null);
            }
            return Files.readString(out.toPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatapathException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatapathException("interrupted while running " + String.join(" ", argv), e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    @Override
    public String toString() {
        return name.map(n -> "netns " + n).orElse("host netns");
    }

    private static void delete(File f) {
        if (f != null && !f.delete() && f.exists()) {
            f.deleteOnExit();
        }
    }
}
