package dev.clustermesh.testing.kube;

import dev.clustermesh.testing.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where the Kubernetes peer binaries are: the directory {@code scripts/k8s-peers.sh} prints as its last line (the
 * script returns at once when they are cached; {@code scripts/test.sh} runs it before the build).
 *
 * @param dir the directory holding kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok
 */
public record KubePeers(Path dir) {
    /** The command that builds the binaries (first time about 15 minutes on 2 cores). */
    public static final String BUILD_COMMAND = "scripts/k8s-peers.sh";

    /**
     * Finds the binaries, building them when they are not cached yet.
     *
     * @throws IllegalStateException naming {@link #BUILD_COMMAND} when the script fails or a binary is missing
     */
    public static KubePeers locate() {
        Path root = repositoryRoot();
        Command.Result r = Command.run(Duration.ofMinutes(40), Map.of(),
                List.of("bash", root.resolve(BUILD_COMMAND).toString()));
        String[] lines = r.output().strip().split("\n");
        Path dir = Path.of(lines[lines.length - 1].strip());
        if (r.exitCode() != 0 || !Files.isDirectory(dir)) {
            throw new IllegalStateException("the Kubernetes test peers are not built; run " + BUILD_COMMAND
                    + " (needs Go and the Go module proxy). Its output:\n" + r.output());
        }
        KubePeers peers = new KubePeers(dir);
        for (String b : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok")) {
            if (!Files.isExecutable(peers.binary(b))) {
                throw new IllegalStateException(b + " is missing in " + dir + "; run " + BUILD_COMMAND);
            }
        }
        return peers;
    }

    /** The path of one peer binary. */
    public Path binary(String name) {
        return dir.resolve(name);
    }

    /** The checkout this test runs in (the directory holding {@code mvnw}). */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("not inside the ClusterMesh/J checkout (no mvnw above "
                    + Path.of("").toAbsolutePath() + ")");
        }
        return dir;
    }
}
