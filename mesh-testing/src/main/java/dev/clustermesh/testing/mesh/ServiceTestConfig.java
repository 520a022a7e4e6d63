package dev.clustermesh.testing.mesh;

import dev.clustermesh.testing.FreePorts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The Quarkus test properties mesh-agent's and mesh-dns's test environments share, written once: the cluster,
 * a clusters directory polled and reconnected fast, and the test ports.
 */
public final class ServiceTestConfig {
    private ServiceTestConfig() {
    }

    /**
     * {@code mesh.cluster.name}, {@code mesh.clusters.dir} with a 200 ms poll interval and a 1 s maximum backoff,
     * and a free management test port; a mutable map the caller adds its service's own keys to.
     */
    public static Map<String, String> joining(String cluster, Path clustersDir) {
        Map<String, String> config = new HashMap<>();
        config.put("mesh.cluster.name", cluster);
        config.put("mesh.clusters.dir", clustersDir.toString());
        config.put("mesh.clusters.poll-interval", "200ms");
        config.put("mesh.clusters.max-backoff", "1s");
        config.put("quarkus.management.test-port", Integer.toString(FreePorts.next()));
        return config;
    }

    /**
     * {@link #joining} plus what an agent under test needs: its cluster ID, node name {@code node-1}, and its gRPC
     * API on {@code apiPort} with the test client {@code agent} pointed at it.
     */
    public static Map<String, String> agent(String cluster, int id, Path clustersDir, int apiPort) {
        Map<String, String> config = joining(cluster, clustersDir);
        config.put("mesh.cluster.id", Integer.toString(id));
        config.put("mesh.node-name", "node-1");
        config.put("quarkus.http.test-port", Integer.toString(apiPort));
        config.put("quarkus.grpc.clients.agent.host", "127.0.0.1");
        config.put("quarkus.grpc.clients.agent.test-port", Integer.toString(apiPort));
        return config;
    }
}
