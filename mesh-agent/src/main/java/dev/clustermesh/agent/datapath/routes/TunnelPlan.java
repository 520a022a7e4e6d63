package dev.clustermesh.agent.datapath.routes;

import dev.clustermesh.agent.routing.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The commands of one tunnel-mode apply, in three steps: FDB entries first (a neighbour is useless without
 * one), then routes and neighbours, then stale FDB entries last (after the routes that used them are gone).
 *
 * @param fdbAdds {@code bridge -batch} lines
 * @param ipLines {@code ip -batch} lines
 * @param fdbDeletes {@code bridge -batch} lines
 */
record TunnelPlan(List<String> fdbAdds, List<String> ipLines, List<String> fdbDeletes) {

    TunnelPlan {
        fdbAdds = List.copyOf(fdbAdds);
        ipLines = List.copyOf(ipLines);
        fdbDeletes = List.copyOf(fdbDeletes);
    }

    /**
     * What the device holds: read from the kernel on a full sync, else what was last applied.
     *
     * @param routes destinations of the agent's routes
     * @param neighbours neighbour addresses on the device
     * @param fdb remote FDB entries on the device, MAC to underlay address
     * @param vteps VTEPs known to be programmed completely (address to MAC); empty on a full sync
     * @param programmed routes known to be programmed; empty on a full sync
     */
    record Current(List<String> routes, List<String> neighbours, Map<String, String> fdb, Map<String, String> vteps,
            Map<String, Route> programmed) {
    }

    /** The plan from {@code current} to {@code want} on device {@code dev}. Pure. */
    static TunnelPlan compute(Current current, Map<String, Route> want, String dev) {
        Map<String, String> vteps = RouteScripts.vteps(want.values());
        List<String> fdbAdds = new ArrayList<>();
        List<String> ipLines = new ArrayList<>(RouteScripts.deletes(current.routes(), want));
        List<String> fdbDeletes = new ArrayList<>();
        vteps.forEach((ip, mac) -> {
            if (!mac.equals(current.vteps().get(ip))) {
                fdbAdds.add("fdb replace " + mac + " dev " + dev + " dst " + ip + " self permanent");
            }
        });
        current.neighbours().stream().filter(ip -> !vteps.containsKey(ip))
                .forEach(ip -> ipLines.add("neigh del " + ip + " dev " + dev));
        vteps.forEach((ip, mac) -> {
            if (!mac.equals(current.vteps().get(ip))) {
                ipLines.add("neigh replace " + ip + " lladdr " + mac + " dev " + dev + " nud permanent");
            }
        });
        ipLines.addAll(RouteScripts.tunnelReplaces(current.programmed(), want, dev));
        current.fdb().forEach((mac, ip) -> {
            if (!mac.equals(vteps.get(ip))) {
                fdbDeletes.add("fdb del " + mac + " dev " + dev + " dst " + ip + " self");
            }
        });
        return new TunnelPlan(fdbAdds, ipLines, fdbDeletes);
    }
}
