package dev.clustermesh.agent.datapath.routes;

import dev.clustermesh.agent.routing.Route;
import java.util.SortedSet;

/** Routing mode {@code none}: the cluster's network reaches the other clusters on its own. */
final class NoRoutes implements RouteProgrammer {

    @Override
    public RoutingMode mode() {
        return RoutingMode.NONE;
    }

    @Override
    public void apply(SortedSet<Route> desired, boolean fullSync) {
    }
}
