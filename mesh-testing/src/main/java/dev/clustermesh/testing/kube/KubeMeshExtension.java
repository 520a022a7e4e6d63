package dev.clustermesh.testing.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: real Kubernetes clusters for a test class, started before its first test and stopped after its
 * last. Register it as a static field with {@code @RegisterExtension}; the Kubernetes processes' logs stay under
 * {@code target/kube-mesh/<class>/<cluster>/logs} for a failure to be read (etcd removes its own data and log).
 */
public final class KubeMeshExtension implements BeforeAllCallback, AfterAllCallback {
    private final List<ClusterSpec> specs;
    private KubeMesh mesh;
    private Path dir;

    /** The seed's two clusters. */
    public KubeMeshExtension() {
        this(List.of(ClusterSpec.seed(1), ClusterSpec.seed(2)));
    }

    public KubeMeshExtension(List<ClusterSpec> specs) {
        this.specs = List.copyOf(specs);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        dir = Path.of("target", "kube-mesh", context.getRequiredTestClass().getSimpleName()).toAbsolutePath();
        try {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        mesh = KubeMesh.start(dir, specs);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (mesh != null) {
            mesh.close();
        }
    }

    /** The running clusters (only between beforeAll and afterAll). */
    public KubeMesh mesh() {
        if (mesh == null) {
            throw new IllegalStateException("the clusters are not started (register the extension as static)");
        }
        return mesh;
    }

    /** Where the clusters keep their data and logs. */
    public Path dir() {
        return dir;
    }
}
