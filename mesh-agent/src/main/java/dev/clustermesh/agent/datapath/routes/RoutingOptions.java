package dev.clustermesh.agent.datapath.routes;

import java.util.Optional;

/**
 * How routes to remote clusters are programmed.
 *
 * @param mode native, tunnel or none
 * @param tunnel the VXLAN device; present in tunnel mode
 */
public record RoutingOptions(RoutingMode mode, Optional<TunnelOptions> tunnel) {

    public RoutingOptions {
        if (mode == RoutingMode.TUNNEL && tunnel.isEmpty()) {
            throw new IllegalArgumentException("tunnel mode needs tunnel options");
        }
    }

    /** Native routing. */
    public static RoutingOptions nativeRouting() {
        return new RoutingOptions(RoutingMode.NATIVE, Optional.empty());
    }

    /** Tunnel mode with {@code tunnel}. */
    public static RoutingOptions tunnel(TunnelOptions tunnel) {
        return new RoutingOptions(RoutingMode.TUNNEL, Optional.of(tunnel));
    }

    /** No routes. */
    public static RoutingOptions none() {
        return new RoutingOptions(RoutingMode.NONE, Optional.empty());
    }
}
