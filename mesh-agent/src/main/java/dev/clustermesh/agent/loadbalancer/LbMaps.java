package dev.clustermesh.agent.loadbalancer;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The complete LB state: services by frontend, backends by ID, and the ID allocations that keep IDs stable.
 *
 * @param services the services map
 * @param backends the backends map
 * @param ids the allocations the next computation starts from
 */
public record LbMaps(SortedMap<LbFrontend, LbService> services, SortedMap<Integer, LbBackend> backends, LbIds ids) {
    /** Nothing programmed. */
    public static final LbMaps EMPTY = new LbMaps(new TreeMap<>(), new TreeMap<>(), LbIds.EMPTY);

    /**
     * Wraps the maps read-only without copying them: callers hand over maps nobody changes afterwards
     * ({@link LbCompute}'s fresh maps, {@link LbBook}'s persistent ones).
     */
    public LbMaps {
        services = Collections.unmodifiableSortedMap(services);
        backends = Collections.unmodifiableSortedMap(backends);
    }

    /** The maps as text, one line per entry, for golden comparisons and debugging. */
    public String dump() {
        StringBuilder b = new StringBuilder();
        for (LbService s : services.values()) {
            b.append("service ").append(s.id()).append(' ').append(s.frontend()).append(' ').append(s.name())
                    .append(" affinity=").append(s.affinity().name().replace("AFFINITY_", "").toLowerCase())
                    .append(" usable=").append(s.usableCount()).append(s.failedOver() ? " failed-over" : "").append('\n');
            for (LbService.Slot slot : s.slots()) {
                LbBackend be = backends.get(slot.backendId());
                b.append("  slot ").append(be.address()).append(' ').append(be.cluster())
                        .append(slot.preferred() ? " preferred" : "").append(slot.usable() ? " usable" : "")
                        .append(slot.weight() > 1 ? " weight " + slot.weight() : "").append('\n');
            }
        }
        for (Map.Entry<Integer, LbBackend> e : backends.entrySet()) {
            LbBackend be = e.getValue();
            b.append("backend ").append(e.getKey()).append(' ').append(be.address()).append(" cluster=")
                    .append(be.cluster()).append('(').append(be.clusterId()).append(") ")
                    .append(be.state().name().replace("BACKEND_STATE_", "").toLowerCase()).append('\n');
        }
        return b.toString();
    }
}
