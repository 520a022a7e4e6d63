package dev.clustermesh.k8s;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** What each overlay must be, and its rendering (once per test run). */
final class Overlays {
    static final String NAMESPACE = "clustermesh-system";
    static final String IMAGE_REPOSITORY = "ghcr.io/clustermesh-j/";
    static final String CLUSTERS_SECRET = "clustermesh-clusters";
    static final String PROXY_TLS_SECRET = "mesh-proxy-tls";

    /** Every overlay and its cluster ID; a new overlay must be added here. */
    static final Map<String, Integer> CLUSTER_IDS = Map.of("cluster1", 1, "cluster2", 2);

    /** A mesh workload: its kind, name (= container name = image name) and management port. */
    record Workload(String kind, String name, int managementPort) {
    }

    static final Workload PROXY = new Workload("Deployment", "mesh-proxy", 9963);
    static final Workload AGENT = new Workload("DaemonSet", "mesh-agent", 9964);
    static final Workload DNS = new Workload("Deployment", "mesh-dns", 9965);

    private static final Map<Path, Rendered> RENDERED = new ConcurrentHashMap<>();

    private Overlays() {
    }

    static Stream<String> names() {
        return CLUSTER_IDS.keySet().stream().sorted();
    }

    static Stream<Workload> workloads() {
        return Stream.of(PROXY, AGENT, DNS);
    }

    static Rendered render(String overlay) {
        return RENDERED.computeIfAbsent(Repo.k8s().resolve("overlays").resolve(overlay), Kustomize::render);
    }
}
