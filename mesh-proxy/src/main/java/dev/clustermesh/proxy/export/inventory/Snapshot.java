package dev.clustermesh.proxy.export.inventory;

import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable copy of the inventory, sorted by object reference (policies by kind, then reference) so that
 * everything computed from it is deterministic.
 *
 * @param services the Services
 * @param slices the EndpointSlices
 * @param nodes the Nodes
 * @param pods the Pods
 * @param namespaces the Namespaces
 * @param policies the NetworkPolicies and CiliumNetworkPolicies
 * @param synced the source kinds whose first full pass is complete
 * @param exports the ServiceExports
 * @param meshExports every cluster's services exported with a ServiceExport (this one's included), as this cluster's
 *     mesh-proxy reads them from the mesh; sorted by namespace, name and cluster
 * @param properties this cluster's ClusterProperties, by name
 * @param meshProperties the other clusters' ClusterProperties as their ClusterConfigs announce them, by cluster
 */
public record Snapshot(List<ServiceObject> services, List<SliceObject> slices, List<NodeObject> nodes,
        List<PodObject> pods, List<NamespaceObject> namespaces, List<PolicyObject> policies,
        Set<SourceKind> synced, List<ExportObject> exports, List<ClusterService> meshExports,
        List<PropertyObject> properties, Map<String, Map<String, String>> meshProperties) {
    public Snapshot {
        properties = List.copyOf(properties);
        meshProperties = Map.copyOf(meshProperties);
        exports = List.copyOf(exports);
        meshExports = List.copyOf(meshExports);
        services = List.copyOf(services);
        slices = List.copyOf(slices);
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
        namespaces = List.copyOf(namespaces);
        policies = List.copyOf(policies);
        synced = synced.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(synced));
    }

    /** A snapshot without ServiceExports. */
    public Snapshot(List<ServiceObject> services, List<SliceObject> slices, List<NodeObject> nodes,
            List<PodObject> pods, List<NamespaceObject> namespaces, List<PolicyObject> policies,
            Set<SourceKind> synced) {
        this(services, slices, nodes, pods, namespaces, policies, synced, List.of(), List.of());
    }

    /** A snapshot without ClusterProperties. */
    public Snapshot(List<ServiceObject> services, List<SliceObject> slices, List<NodeObject> nodes,
            List<PodObject> pods, List<NamespaceObject> namespaces, List<PolicyObject> policies,
            Set<SourceKind> synced, List<ExportObject> exports, List<ClusterService> meshExports) {
        this(services, slices, nodes, pods, namespaces, policies, synced, exports, meshExports, List.of(), Map.of());
    }

    /** This cluster's properties, name to value, sorted by name. */
    public Map<String, String> propertyValues() {
        Map<String, String> out = new TreeMap<>();
        properties.forEach(p -> out.put(p.name(), p.value()));
        return out;
    }

    /** A snapshot whose every kind is synced, for tests and one-shot computations. */
    public static Snapshot synced(List<ServiceObject> services, List<SliceObject> slices, List<NodeObject> nodes) {
        return synced(services, slices, nodes, List.of(), List.of(), List.of());
    }

    /** A snapshot whose every kind is synced, for tests and one-shot computations. */
    public static Snapshot synced(List<ServiceObject> services, List<SliceObject> slices, List<NodeObject> nodes,
            List<PodObject> pods, List<NamespaceObject> namespaces, List<PolicyObject> policies) {
        return new Snapshot(services, slices, nodes, pods, namespaces, policies, EnumSet.allOf(SourceKind.class));
    }

    /** The exported kinds whose first full pass is complete (see {@link SourceKind#exportedKinds}). */
    public Set<ResourceKind> syncedKinds() {
        return SourceKind.exportedKinds(synced);
    }
}
