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
}
