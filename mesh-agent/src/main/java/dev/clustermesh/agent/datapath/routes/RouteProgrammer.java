package dev.clustermesh.agent.datapath.routes;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.routing.Route;
import java.util.SortedSet;

/**
 * Programs the routes to remote clusters' pod CIDRs into a network namespace. Routes are not transactional in
 * Linux; instead every step is idempotent ({@code replace}), the agent's routes carry their own protocol number,
 * and a full sync reads back what the kernel holds and prunes what is not desired, so a retry converges.
 */
public interface RouteProgrammer {

    /** The routing mode, for logs. */
    RoutingMode mode();

    /**
     * Makes the agent's routes equal to {@code desired}.
     *
     * @param fullSync compare with what the kernel lists instead of with the last apply (on start, after a
     *        failure); also (re)creates the tunnel device
     * @throws dev.clustermesh.agent.datapath.DatapathException when a command failed; the next apply is then
     *         a full sync whatever {@code fullSync} says
     */
    void apply(SortedSet<Route> desired, boolean fullSync);

    /** The programmer for {@code options}, running its commands in {@code netns}. */
    static RouteProgrammer create(RoutingOptions options, NetworkNamespace netns) {
        return switch (options.mode()) {
            case NATIVE -> new NativeRoutes(netns);
            case TUNNEL -> new TunnelRoutes(netns, options.tunnel().orElseThrow());
            case NONE -> new NoRoutes();
        };
    }
}
