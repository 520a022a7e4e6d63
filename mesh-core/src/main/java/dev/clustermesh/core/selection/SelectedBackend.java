package dev.clustermesh.core.selection;

import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.Port;
import java.util.List;
import java.util.Optional;

/**
 * A backend of a global service as seen from the local cluster.
 *
 * @param cluster the cluster that exported it
 * @param local true when it belongs to the local cluster
 * @param backend the exported backend (IP, ports by name, state, hostname, zone, node)
 * @param preferred true when the service's affinity prefers this backend's side
 * @param usable true when new connections may be sent to it
 * @param weight its share of new connections relative to the other usable backends: 0 when not usable, 1 for an
 *        even spread; more under graded failover (see {@link BackendSelection})
 * @param tier with a cluster preference, the 1-based tier of its cluster (unlisted: one past the list); else 0
 */
public record SelectedBackend(String cluster, boolean local, Backend backend, boolean preferred, boolean usable,
        int weight, int tier) {

    public SelectedBackend {
        if (usable ? weight < 1 : weight != 0) {
            throw new IllegalArgumentException("weight " + weight + " for a" + (usable ? " usable" : "n unusable")
                    + " backend");
        }
    }

    /** A backend with an even share (weight 1) when usable, without a cluster preference. */
    public SelectedBackend(String cluster, boolean local, Backend backend, boolean preferred, boolean usable) {
        this(cluster, local, backend, preferred, usable, usable ? 1 : 0, 0);
    }

    /** The backend's IP. */
    public String ip() {
        return backend.getIp();
    }

    /** True when the backend is ready for new connections (not terminating). */
    public boolean active() {
        return backend.getState() == BackendState.BACKEND_STATE_ACTIVE;
    }

    /** The backend's target port for a service port name, or empty when the backend lacks it. */
    public Optional<Port> port(String name) {
        List<Port> ports = backend.getPortsList();
        for (Port p : ports) {
            if (p.getName().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
