package dev.clustermesh.k8s;

import dev.clustermesh.testing.Binaries;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Renders a kustomization with the real {@code kubectl kustomize} and reads the objects back. */
final class Kustomize {
    /** Debian's package for kubectl; its kubectl 1.20 embeds kustomize v2.0.3, which the overlays are written for. */
    static final String INSTALL = "apt-get install -y kubernetes-client";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Kustomize() {
    }

    /**
     * Finds {@code kubectl} in {@code searchPath}.
     *
     * @throws IllegalStateException naming the searched path and {@link #INSTALL} when there is none
     */
    static Path kubectl(String searchPath) {
        return Binaries.find("kubectl", searchPath).orElseThrow(() -> new IllegalStateException(
                "'kubectl' is required to render the kustomize overlays but was not found on PATH=" + searchPath
                        + ". Install it with: " + INSTALL));
    }

    /**
     * Runs {@code kubectl kustomize dir} with the {@code kubectl} of the {@code PATH}.
     *
     * @return every rendered object, in kustomize's order
     * @throws AssertionError if kubectl fails (with its exit code and error output) or runs past {@link #TIMEOUT}
     */
    static Rendered render(Path dir) {
        Path kubectl = kubectl(Objects.requireNonNullElse(System.getenv("PATH"), ""));
        String yaml = run(List.of(kubectl.toString(), "kustomize", dir.toString()));
        Object parsed = new KubernetesSerialization().unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.forEach(o -> objects.add((HasMetadata) o));
        } else if (parsed != null) {
            objects.add((HasMetadata) parsed);
        }
        return new Rendered(dir, objects);
    }

    // stdout and stderr apart: current kustomize prints deprecation warnings on stderr, the YAML on stdout.
    private static String run(List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("kustomize-", ".yaml");
            err = Files.createTempFile("kustomize-", ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish within " + TIMEOUT);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(command + " exited with " + p.exitValue() + ":\n" + Files.readString(err));
            }
            return Files.readString(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static void delete(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // A leftover temp file does not change the outcome.
        }
    }
}
