package dev.clustermesh.proxy.export.inventory;

import dev.clustermesh.core.keys.ResourceKind;
import java.util.EnumSet;
import java.util.Set;

/** The kinds of source objects a source delivers; each is synced on its own. */
public enum SourceKind {
    SERVICES,
    ENDPOINT_SLICES,
    NODES,
    PODS,
    NAMESPACES,
    NETWORK_POLICIES,
    /** CiliumNetworkPolicies; a source without the CRD marks this kind synced with no objects. */
    CILIUM_NETWORK_POLICIES,
    /** ServiceExports (Multi-Cluster Services API); a source without the CRD marks this kind synced with no objects. */
    SERVICE_EXPORTS,
    /** What the other clusters export with ServiceExports, as this cluster's mesh-proxy follows the mesh. */
    MESH_EXPORTS,
    /** ClusterProperties (about.k8s.io); a source without the CRD marks this kind synced with no objects. */
    CLUSTER_PROPERTIES;

    /**
     * The exported kinds whose first full pass is complete once {@code synced} source kinds are: services
     * need Services, EndpointSlices and ServiceExports, nodes need Nodes, endpoints and identities need Pods and Namespaces,
     * policies need both policy kinds, the MCS state needs Services, ServiceExports, ClusterProperties and the mesh's
     * exports.
     */
    public static Set<ResourceKind> exportedKinds(Set<SourceKind> synced) {
        Set<ResourceKind> out = EnumSet.noneOf(ResourceKind.class);
        if (synced.contains(SERVICES) && synced.contains(ENDPOINT_SLICES) && synced.contains(SERVICE_EXPORTS)) {
            out.add(ResourceKind.SERVICES);
        }
        if (synced.contains(NODES)) {
            out.add(ResourceKind.NODES);
        }
        if (synced.contains(PODS) && synced.contains(NAMESPACES)) {
            out.add(ResourceKind.ENDPOINTS);
            out.add(ResourceKind.IDENTITIES);
        }
        if (synced.contains(NETWORK_POLICIES) && synced.contains(CILIUM_NETWORK_POLICIES)) {
            out.add(ResourceKind.POLICIES);
        }
        if (synced.contains(SERVICES) && synced.contains(SERVICE_EXPORTS) && synced.contains(MESH_EXPORTS)
                && synced.contains(CLUSTER_PROPERTIES)) {
            out.add(ResourceKind.MCS);
        }
        return out;
    }
}
