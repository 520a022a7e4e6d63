package dev.clustermesh.agent.datapath.routes;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.routing.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/** Native routing: {@code ip route replace CIDR via NODE proto 201} per remote pod CIDR. */
final class NativeRoutes implements RouteProgrammer {
    private final NetworkNamespace netns;
    /** What the kernel holds since the last successful apply; null when unknown (start, after a failure). */
    private SortedMap<String, Route> applied;

    NativeRoutes(NetworkNamespace netns) {
        this.netns = netns;
    }

    @Override
    public RoutingMode mode() {
        return RoutingMode.NATIVE;
    }

    @Override
    public synchronized void apply(SortedSet<Route> desired, boolean fullSync) {
        SortedMap<String, Route> want = RouteScripts.byCidr(desired);
        List<String> lines = new ArrayList<>();
        if (fullSync || applied == null) {
            lines.addAll(RouteScripts.deletes(RouteCommands.listRoutes(netns), want));
            lines.addAll(RouteScripts.nativeReplaces(Map.of(), want));
        } else {
            lines.addAll(RouteScripts.deletes(applied.keySet(), want));
            lines.addAll(RouteScripts.nativeReplaces(applied, want));
        }
        applied = null;
        RouteCommands.ipBatch(netns, lines);
        applied = want;
    }
}
