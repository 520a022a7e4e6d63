package dev.clustermesh.proxy.export.inventory;

import dev.clustermesh.core.keys.ResourceKind;
import java.util.EnumSet;
import java.util.Set;

/** The kinds of source objects a source delivers; each is synced on its own. */
public enum SourceKind {
    SERVICES,
    ENDPOINT_SLICES,
    NODES;

    /**
     * The exported kinds whose first full pass is complete once {@code synced} source kinds are: services
     * and endpoints need both Services and EndpointSlices, nodes need Nodes.
     */
    public static Set<ResourceKind> exportedKinds(Set<SourceKind> synced) {
        Set<ResourceKind> out = EnumSet.noneOf(ResourceKind.class);
        if (synced.contains(SERVICES) && synced.contains(ENDPOINT_SLICES)) {
            out.add(ResourceKind.SERVICES);
            out.add(ResourceKind.ENDPOINTS);
        }
        if (synced.contains(NODES)) {
            out.add(ResourceKind.NODES);
        }
        return out;
    }
}
