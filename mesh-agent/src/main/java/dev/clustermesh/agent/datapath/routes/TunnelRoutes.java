package dev.clustermesh.agent.datapath.routes;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.routing.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Tunnel mode: one VXLAN device; per remote node a permanent FDB entry (its VTEP MAC to its underlay address)
 * and a permanent neighbour (its underlay address on the device to that MAC); per remote pod CIDR a route via
 * that address on the device. MACs are derived from addresses ({@link RouteScripts#vtepMac}), so neither ARP
 * nor learning crosses the tunnel.
 */
final class TunnelRoutes implements RouteProgrammer {
    private final NetworkNamespace netns;
    private final TunnelOptions tunnel;
    /** What the kernel holds since the last successful apply; null when unknown (start, after a failure). */
    private SortedMap<String, Route> applied;
    private Map<String, String> appliedVteps = Map.of();

    TunnelRoutes(NetworkNamespace netns, TunnelOptions tunnel) {
        this.netns = netns;
        this.tunnel = tunnel;
    }

    @Override
    public RoutingMode mode() {
        return RoutingMode.TUNNEL;
    }

    @Override
    public synchronized void apply(SortedSet<Route> desired, boolean fullSync) {
        SortedMap<String, Route> want = new TreeMap<>();
        boolean v6 = tunnel.localIp().contains(":");
        // A VTEP of the other family than this node's cannot be reached through this device.
        RouteScripts.byCidr(desired).forEach((cidr, r) -> {
            if (r.via().contains(":") == v6) {
                want.put(cidr, r);
            }
        });
        TunnelPlan.Current current = fullSync || applied == null ? readKernel() : new TunnelPlan.Current(
                List.copyOf(applied.keySet()), List.copyOf(appliedVteps.keySet()), invert(appliedVteps),
                appliedVteps, applied);
        applied = null;
        TunnelPlan plan = TunnelPlan.compute(current, want, tunnel.device());
        RouteCommands.bridgeBatch(netns, plan.fdbAdds());
        RouteCommands.ipBatch(netns, plan.ipLines());
        RouteCommands.bridgeBatch(netns, plan.fdbDeletes());
        applied = want;
        appliedVteps = RouteScripts.vteps(want.values());
    }

    /** Ensures the device, then reads what it holds. */
    private TunnelPlan.Current readKernel() {
        List<String> routes = listAfterEnsuringDevice();
        String dev = tunnel.device();
        return new TunnelPlan.Current(routes, RouteScripts.firstWords(RouteCommands.ip(netns, "neigh", "show", "dev", dev)),
                RouteScripts.fdbRemotes(RouteCommands.bridge(netns, "fdb", "show", "dev", dev)), Map.of(), Map.of());
    }

    /** Creates the device, or recreates it when its VNI, port or local address differ; lists its routes. */
    private List<String> listAfterEnsuringDevice() {
        String shown;
        try {
            shown = RouteCommands.ip(netns, "-d", "-o", "link", "show", "dev", tunnel.device());
        } catch (DatapathException e) {
            shown = null;
        }
        List<String> lines = new ArrayList<>();
        if (shown != null && !RouteScripts.deviceMatches(shown, tunnel)) {
            lines.add("link del " + tunnel.device());
        }
        if (shown == null || !lines.isEmpty()) {
            lines.add(RouteScripts.deviceAdd(tunnel));
        }
        lines.add("link set " + tunnel.device() + " address " + RouteScripts.vtepMac(tunnel.localIp()) + " mtu "
                + tunnel.mtu() + " up");
        RouteCommands.ipBatch(netns, lines);
        return RouteCommands.listRoutes(netns);
    }

    private static Map<String, String> invert(Map<String, String> ipToMac) {
        Map<String, String> out = new TreeMap<>();
        ipToMac.forEach((ip, mac) -> out.put(mac, ip));
        return out;
    }
}
