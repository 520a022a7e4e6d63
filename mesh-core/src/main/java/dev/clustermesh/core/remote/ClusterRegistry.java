package dev.clustermesh.core.remote;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The cluster IDs claimed by the connected clusters of one mesh; an ID belongs to one cluster at a time. */
public final class ClusterRegistry {
    private final Map<Integer, String> owners = new HashMap<>();

    /**
     * Claims {@code id} for {@code cluster}, releasing any ID it held before.
     *
     * @return the conflict, naming both clusters, when another cluster holds the ID; empty when claimed
     */
    public synchronized Optional<String> claim(String cluster, int id) {
        String owner = owners.get(id);
        if (owner != null && !owner.equals(cluster)) {
            return Optional.of("cluster id " + id + " of '" + cluster + "' is already used by cluster '" + owner + "'");
        }
        release(cluster);
        owners.put(id, cluster);
        return Optional.empty();
    }

    /** Releases whatever ID {@code cluster} holds. */
    public synchronized void release(String cluster) {
        owners.values().removeIf(cluster::equals);
    }
}
