package dev.clustermesh.agent.loadbalancer;

import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.Affinity;
import java.util.List;

/**
 * An entry of the services map.
 *
 * @param id the service ID, stable while the frontend exists
 * @param frontend the local frontend
 * @param name the global service it belongs to
 * @param affinity its effective affinity
 * @param slots backend slots, usable ones first
 * @param failedOver true when no preferred backend is active and the others are used
 */
public record LbService(int id, LbFrontend frontend, ServiceName name, Affinity affinity, List<Slot> slots,
        boolean failedOver) {

    public LbService {
        slots = List.copyOf(slots);
    }

    /**
     * One backend slot.
     *
     * @param backendId the backend's ID in the backends map
     * @param preferred preferred by the service's affinity
     * @param usable receives new connections
     */
    public record Slot(int backendId, boolean preferred, boolean usable) {
    }

    /** Number of usable slots (they come first). */
    public int usableCount() {
        return (int) slots.stream().filter(Slot::usable).count();
    }
}
