package dev.clustermesh.proxy.export;

import com.google.protobuf.Message;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.source.DirectorySource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The shared manifests under {@code src/test/resources/manifests/} and what exporting them gives. */
final class Manifests {
    static final String CLUSTER = "cluster1";

    private Manifests() {
    }

    /** Exporter settings for tests: cluster1 (id 1), small transactions so that batching is exercised. */
    static ExportSettings settings(String identity, Duration leaseTtl, Duration heartbeat) {
        return new ExportSettings(new ClusterIdentity(CLUSTER, 1), List.of("10.10.0.0/16"), List.of("10.11.0.0/16"),
                identity, heartbeat, leaseTtl, 4, Duration.ofSeconds(5), IdentityLabelFilter.DEFAULT,
                Duration.ofSeconds(2));
    }

    /** The directory of the shared manifests (on the test class path). */
    static Path source() {
        try {
            return Path.of(Manifests.class.getClassLoader().getResource("manifests").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies the named shared manifests into {@code dir}. */
    static void copy(Path dir, String... names) throws IOException {
        for (String n : names) {
            Files.copy(source().resolve(n), dir.resolve(n), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Copies every shared manifest into {@code dir}. */
    static void copyAll(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(source())) {
            for (Path p : s.toList()) {
                Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** What the directory source exports for the manifests in {@code dir}: read them, compute. */
    static DesiredState expected(ClusterConfig config, Path dir) {
        Inventory inventory = new Inventory(() -> { });
        DirectorySource source = new DirectorySource(dir, new SimpleMeterRegistry());
        source.start(inventory);
        source.close();
        // Like the exporter's first pass: the source is fully listed, so identities are allocated.
        return ExportCompute.compute(config, inventory.snapshot());
    }

    /** The policy documents of {@link #expected}. */
    static Map<String, String> expectedPolicies(ClusterConfig config, Path dir) {
        return expected(config, dir).documents();
    }

    /** The data keys (services, nodes, endpoints, identities) of {@link #expected}. */
    static Map<String, Message> expectedData(ClusterConfig config, Path dir) {
        Map<String, Message> out = new TreeMap<>();
        expected(config, dir).values().forEach((k, v) -> {
            MeshKey key = KeyLayout.parse(k);
            if (key instanceof MeshKey.Service || key instanceof MeshKey.Node || key instanceof MeshKey.Endpoint
                    || key instanceof MeshKey.Identity) {
                out.put(k, v);
            }
        });
        return out;
    }
}
