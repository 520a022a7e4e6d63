package dev.clustermesh.agent.loadbalancer;

import java.util.HashSet;
import java.util.Set;

/**
 * What one update changed in the LB maps: the frontends and backend IDs whose entries were added, changed or
 * removed. A datapath applying only these keys ends up equal to the full desired maps.
 *
 * @param services changed frontends
 * @param backends changed backend IDs
 */
public record LbChange(Set<LbFrontend> services, Set<Integer> backends) {

    /** A change set to fill. */
    public static LbChange empty() {
        return new LbChange(new HashSet<>(), new HashSet<>());
    }

    public boolean isEmpty() {
        return services.isEmpty() && backends.isEmpty();
    }
}
