package dev.clustermesh.testing.kube;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several real Kubernetes clusters side by side (the seed's kind clusters by default) and one kubeconfig with a
 * context {@code kind-<name>} for each.
 */
public final class KubeMesh implements AutoCloseable {
    private final Map<String, KubeCluster> clusters = new LinkedHashMap<>();
    private final Path kubeconfig;

    private KubeMesh(Path dir) {
        this.kubeconfig = dir.resolve("kubeconfig");
    }

    /**
     * Builds or finds the peer binaries, then starts every cluster; on failure stops what started.
     *
     * @throws IllegalStateException when a binary is missing (naming the build command) or a cluster fails
     */
    public static KubeMesh start(Path dir, List<ClusterSpec> specs) {
        KubePeers peers = KubePeers.locate();
        KubeMesh mesh = new KubeMesh(dir);
        try {
            for (ClusterSpec s : specs) {
                mesh.clusters.put(s.name(), KubeCluster.start(peers, s, dir.resolve(s.name())));
            }
            Kubeconfig.write(mesh.kubeconfig, mesh.clusters());
            return mesh;
        } catch (RuntimeException | Error e) {
            mesh.close();
            throw e;
        }
    }

    /** The seed's two clusters: cluster1 (10.10/16 pods, 10.11/16 services) and cluster2 (10.20, 10.21). */
    public static KubeMesh seed(Path dir) {
        return start(dir, List.of(ClusterSpec.seed(1), ClusterSpec.seed(2)));
    }

    /** The cluster called {@code name}. */
    public KubeCluster cluster(String name) {
        KubeCluster c = clusters.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no cluster " + name + " in " + clusters.keySet());
        }
        return c;
    }

    /** Every cluster, in start order. */
    public List<KubeCluster> clusters() {
        return new ArrayList<>(clusters.values());
    }

    /** The kubeconfig holding every cluster's admin context. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    @Override
    public void close() {
        List<KubeCluster> all = new ArrayList<>(clusters.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
