package dev.clustermesh.core.keys;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** The kinds of state a cluster exports, each with its own sync canary. */
public enum ResourceKind {
    SERVICES("services"),
    NODES("nodes"),
    ENDPOINTS("endpoints"),
    /** Numeric security identities and their labels. */
    IDENTITIES("identities"),
    /** NetworkPolicies and CiliumNetworkPolicies (local only: remote clusters never read them). */
    POLICIES("policies"),
    /**
     * The Multi-Cluster Services API state of this cluster (local only): its ServiceImports with their clusterset IPs
     * and the status of its ServiceExports.
     */
    MCS("mcs");

    /**
     * The kinds a cluster must have synced before the load-balancing view trusts it; an exporter from before
     * identities and policies existed writes exactly these canaries.
     */
    public static final Set<ResourceKind> SERVICE_VIEW = Set.copyOf(EnumSet.of(SERVICES, NODES, ENDPOINTS));

    private final String segment;

    ResourceKind(String segment) {
        this.segment = segment;
    }

    /** The key segment, e.g. {@code services} in {@code mesh/v1/synced/<cluster>/services}. */
    public String segment() {
        return segment;
    }

    /** Finds the kind for a key segment, or empty when there is none. */
    public static Optional<ResourceKind> fromSegment(String segment) {
        for (ResourceKind k : values()) {
            if (k.segment.equals(segment)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
