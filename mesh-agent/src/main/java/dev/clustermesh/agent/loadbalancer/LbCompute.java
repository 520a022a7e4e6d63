package dev.clustermesh.agent.loadbalancer;

import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.selection.BackendSelection;
import dev.clustermesh.core.selection.Frontend;
import dev.clustermesh.core.selection.SelectedBackend;
import dev.clustermesh.core.selection.SelectedService;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Computes the complete desired LB maps from a mesh snapshot. Pure: same inputs, same maps. */
public final class LbCompute {

    private LbCompute() {
    }

    /**
     * The LB maps the local cluster should program.
     *
     * @param localCluster the agent's cluster: only its services' frontends are programmed
     * @param snapshot the merged mesh state
     * @param previous the allocation of the last computation, so IDs stay stable
     */
    public static LbMaps compute(String localCluster, MeshSnapshot snapshot, LbIds previous) {
        LbIds.Builder ids = new LbIds.Builder(previous);
        TreeMap<LbFrontend, LbService> services = new TreeMap<>();
        TreeMap<Integer, LbBackend> backends = new TreeMap<>();
        for (Map.Entry<ServiceName, List<ClusterService>> e : new TreeMap<>(snapshot.services()).entrySet()) {
            SelectedService selected = BackendSelection.compute(localCluster, e.getValue());
            for (Frontend f : selected.frontends()) {
                LbFrontend key = new LbFrontend(f.ip(), f.protocol(), f.port());
                if (services.containsKey(key)) {
                    continue;
                }
                List<LbService.Slot> slots = slots(selected, f, snapshot, ids, backends);
                services.put(key, new LbService(ids.service(key), key, e.getKey(), selected.affinity(), slots,
                        selected.failedOver()));
            }
        }
        return new LbMaps(services, backends, ids.build());
    }

    private static List<LbService.Slot> slots(SelectedService selected, Frontend f, MeshSnapshot snapshot,
            LbIds.Builder ids, Map<Integer, LbBackend> backends) {
        List<LbService.Slot> usable = new ArrayList<>();
        List<LbService.Slot> others = new ArrayList<>();
        for (SelectedBackend b : selected.backends()) {
            Optional<Port> target = targetPort(b, f);
            if (target.isEmpty()) {
                continue;
            }
            LbBackend.Key key = new LbBackend.Key(b.cluster(), b.ip(), f.protocol(), target.get().getPort());
            int id = ids.backend(key);
            backends.put(id, new LbBackend(id, b.ip(), f.protocol(), target.get().getPort(), b.cluster(),
                    clusterId(snapshot, b.cluster()), b.backend().getState()));
            (b.usable() ? usable : others).add(new LbService.Slot(id, b.preferred(), b.usable()));
        }
        usable.addAll(others);
        return usable;
    }

    /** The backend port for a service port: by name; a single unnamed port matches a backend's only port. */
    static Optional<Port> targetPort(SelectedBackend b, Frontend f) {
        Optional<Port> byName = b.port(f.portName());
        if (byName.isPresent() || !f.portName().isEmpty() || b.backend().getPortsCount() != 1) {
            return byName;
        }
        return Optional.of(b.backend().getPorts(0));
    }

    private static int clusterId(MeshSnapshot snapshot, String cluster) {
        ClusterStatus s = snapshot.clusters().get(cluster);
        return s == null ? 0 : s.id();
    }
}
