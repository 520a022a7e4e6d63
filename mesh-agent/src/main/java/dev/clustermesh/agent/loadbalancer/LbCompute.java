package dev.clustermesh.agent.loadbalancer;

import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.selection.BackendSelection;
import dev.clustermesh.core.selection.Frontend;
import dev.clustermesh.core.selection.SelectedBackend;
import dev.clustermesh.core.selection.SelectedService;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import dev.clustermesh.proto.mesh.v1.Port;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Computes LB map entries from the merged mesh state. Pure: same inputs (and ID source), same entries.
 * {@link #compute} derives the whole maps; {@link #service} one global service's entries, which
 * {@link LbBook} uses to update only what changed.
 */
public final class LbCompute {

    private LbCompute() {
    }

    /** Where IDs come from: stable for an existing frontend or backend, new otherwise. */
    public interface IdSource {
        int service(LbFrontend frontend);

        int backend(LbBackend.Key key);
    }

    /**
     * One global service's entries.
     *
     * @param services its local frontends, in frontend order
     * @param backends the backends its slots use, once per slot
     */
    public record Entries(List<LbService> services, List<LbBackend> backends) {
        public static final Entries NONE = new Entries(List.of(), List.of());

        public Entries {
            services = List.copyOf(services);
            backends = List.copyOf(backends);
        }
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
        ToIntFunction<String> clusterId = c -> clusterId(snapshot.clusters(), c);
        for (Map.Entry<ServiceName, List<ClusterService>> e : new TreeMap<>(snapshot.services()).entrySet()) {
            Entries entries = service(localCluster, e.getKey(), e.getValue(), snapshot.imports().get(e.getKey()),
                    clusterId,
                    c -> !c.equals(localCluster) && snapshot.clusters().containsKey(c) && snapshot.clusters().get(c).stale(),
                    ids);
            for (LbService s : entries.services()) {
                services.putIfAbsent(s.frontend(), s);
            }
            entries.backends().forEach(b -> backends.put(b.id(), b));
        }
        return new LbMaps(services, backends, ids.build());
    }

    /**
     * The entries of one global service.
     *
     * @param inputs one ClusterService per cluster exporting it; empty when the service is gone
     * @param clusterId a cluster's ID by name (0 when unknown)
     * @param stale true for a cluster whose state is stale (its backends only stand in for missing fresh ones)
     */
    public static Entries service(String localCluster, ServiceName name, List<ClusterService> inputs,
            ToIntFunction<String> clusterId, java.util.function.Predicate<String> stale, IdSource ids) {
        return service(localCluster, name, inputs, null, clusterId, stale, ids);
    }

    /**
     * The entries of one global service, with the own cluster's import of it: a ClusterSetIP import's clusterset IPs
     * are frontends too (on the import's ports), load-balanced like the local ClusterIPs, so the service is reachable
     * where the cluster has no Service of that name.
     *
     * @param imported the own cluster's ServiceImport of the service, or null when it has none
     */
    public static Entries service(String localCluster, ServiceName name, List<ClusterService> inputs,
            ServiceImport imported, ToIntFunction<String> clusterId, java.util.function.Predicate<String> stale,
            IdSource ids) {
        if (inputs.isEmpty()) {
            return Entries.NONE;
        }
        List<List<String>> tiers = imported == null ? List.of() : imported.getClusterSelectorResultsList().stream()
                .map(r -> List.copyOf(r.getClustersList())).toList();
        SelectedService selected = BackendSelection.compute(localCluster, inputs, stale, tiers);
        List<Frontend> frontends = new ArrayList<>(selected.frontends());
        frontends.addAll(clustersetFrontends(imported));
        if (frontends.isEmpty()) {
            return Entries.NONE;
        }
        List<LbService> services = new ArrayList<>();
        List<LbBackend> backends = new ArrayList<>();
        for (Frontend f : frontends) {
            LbFrontend key = new LbFrontend(f.ip(), f.protocol(), f.port());
            List<LbService.Slot> usable = new ArrayList<>();
            List<LbService.Slot> others = new ArrayList<>();
            for (SelectedBackend b : selected.backends()) {
                Optional<Port> target = targetPort(b, f);
                if (target.isEmpty()) {
                    continue;
                }
                LbBackend.Key bk = new LbBackend.Key(b.cluster(), b.ip(), f.protocol(), target.get().getPort());
                LbBackend backend = new LbBackend(ids.backend(bk), b.ip(), f.protocol(), target.get().getPort(),
                        b.cluster(), clusterId.applyAsInt(b.cluster()), b.backend().getState());
                backends.add(backend);
                (b.usable() ? usable : others).add(new LbService.Slot(backend.id(), b.preferred(), b.usable(),
                        b.weight(), b.tier()));
            }
            usable.addAll(others);
            services.add(new LbService(ids.service(key), key, name, selected.affinity(), usable, selected.failedOver()));
        }
        return new Entries(services, backends);
    }

    /** The frontends of a ClusterSetIP import: every clusterset IP on every port; none for other imports. */
    static List<Frontend> clustersetFrontends(ServiceImport imported) {
        if (imported == null || imported.getType() != ImportType.CLUSTER_SET_IP) {
            return List.of();
        }
        List<Frontend> out = new ArrayList<>();
        for (String ip : imported.getIpsList()) {
            for (Port p : imported.getPortsList()) {
                out.add(new Frontend(ip, p.getName(), p.getProtocol(), p.getPort()));
            }
        }
        return out;
    }

    /** The backend port for a service port: by name; a single unnamed port matches a backend's only port. */
    static Optional<Port> targetPort(SelectedBackend b, Frontend f) {
        Optional<Port> byName = b.port(f.portName());
        if (byName.isPresent() || !f.portName().isEmpty() || b.backend().getPortsCount() != 1) {
            return byName;
        }
        return Optional.of(b.backend().getPorts(0));
    }

    /** A cluster's ID from its status, 0 when unknown. */
    public static int clusterId(Map<String, ClusterStatus> clusters, String cluster) {
        ClusterStatus s = clusters.get(cluster);
        return s == null ? 0 : s.id();
    }
}
