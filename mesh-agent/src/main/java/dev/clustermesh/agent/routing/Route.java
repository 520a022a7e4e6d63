package dev.clustermesh.agent.routing;

import java.util.Comparator;

/**
 * One route to a remote cluster's addresses.
 *
 * @param cidr destination: a remote node's pod CIDR, or a remote cluster's service CIDR
 * @param via the remote node's IP (next hop in native mode, VXLAN remote in tunnel mode)
 * @param cluster the remote cluster
 * @param node the remote node
 * @param kind what the destination holds
 */
public record Route(String cidr, String via, String cluster, String node, Kind kind) implements Comparable<Route> {
    private static final Comparator<Route> ORDER = Comparator.comparing(Route::cidr).thenComparing(Route::via)
            .thenComparing(Route::cluster).thenComparing(Route::node).thenComparing(Route::kind);

    /** What a route's destination holds. */
    public enum Kind {
        /** A remote node's pods: answers come from them directly. */
        POD,
        /** A remote cluster's ClusterIPs: the node the route leads to load-balances them. */
        SERVICE
    }

    /** A route to a remote node's pod CIDR. */
    public Route(String cidr, String via, String cluster, String node) {
        this(cidr, via, cluster, node, Kind.POD);
    }

    @Override
    public int compareTo(Route o) {
        return ORDER.compare(this, o);
    }
}
