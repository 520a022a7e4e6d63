package dev.clustermesh.agent.mesh;

import java.util.Map;

/** The seed manifests for tests in other packages. */
public final class SeedManifestsAccess {
    private SeedManifestsAccess() {
    }

    /** rebel-base in cluster {@code id} with {@code replicas} ready endpoints and no extra annotations. */
    public static String rebelBase(int id, int replicas) {
        return SeedManifests.rebelBase(id, replicas, Map.of());
    }

    /** rebel-base in cluster {@code id} with {@code replicas} ready endpoints and extra annotations. */
    public static String rebelBase(int id, int replicas, Map<String, String> annotations) {
        return SeedManifests.rebelBase(id, replicas, annotations);
    }

    /** rebel-base's ClusterIP in cluster {@code id}. */
    public static String clusterIp(int id) {
        return SeedManifests.clusterIp(id);
    }

    /** The address of rebel-base pod {@code i} in cluster {@code id}. */
    public static String podIp(int id, int i) {
        return SeedManifests.podIp(id, i);
    }
}
