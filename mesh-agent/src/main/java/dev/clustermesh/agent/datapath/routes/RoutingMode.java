package dev.clustermesh.agent.datapath.routes;

import java.util.Locale;
import java.util.Optional;

/** How this node reaches remote clusters' pods. */
public enum RoutingMode {
    /** A route per remote pod CIDR via the remote node's IP: the nodes share an L2 or routed underlay. */
    NATIVE,
    /** One VXLAN device, an FDB entry per remote node, routes via the device. */
    TUNNEL,
    /** Nothing programmed: the cluster's network routes to the other clusters on its own. */
    NONE;

    /** The mode named {@code text} (case-insensitive), or empty. */
    public static Optional<RoutingMode> parse(String text) {
        for (RoutingMode m : values()) {
            if (m.name().equalsIgnoreCase(text.trim())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The name as configured: {@code native}, {@code tunnel}, {@code none}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
