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
     * @param weight how many slots of the slot map it takes (0 when not usable, 1 but under graded failover)
     * @param tier with a cluster preference, the 1-based tier of the backend's cluster; else 0
     */
    public record Slot(int backendId, boolean preferred, boolean usable, int weight, int tier) {
        public Slot {
            if (usable ? weight < 1 : weight != 0) {
                throw new IllegalArgumentException("weight " + weight + " for a slot usable=" + usable);
            }
        }

        /** A slot without a cluster preference. */
        public Slot(int backendId, boolean preferred, boolean usable, int weight) {
            this(backendId, preferred, usable, weight, 0);
        }

        /** A slot of weight 1 when usable, without a cluster preference. */
        public Slot(int backendId, boolean preferred, boolean usable) {
            this(backendId, preferred, usable, usable ? 1 : 0);
        }
    }

    /**
     * True when graded failover shares new connections between preferred and other backends by weight
     * ({@code service.cilium.io/affinity-min-ready}).
     */
    public boolean graded() {
        return affinity != Affinity.AFFINITY_NONE && slots.stream().anyMatch(s -> s.usable() && s.preferred())
                && slots.stream().anyMatch(s -> s.usable() && !s.preferred());
    }

    /** Number of usable slots (they come first). */
    public int usableCount() {
        return (int) slots.stream().filter(Slot::usable).count();
    }
}
