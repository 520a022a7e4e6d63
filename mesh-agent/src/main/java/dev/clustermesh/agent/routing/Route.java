package dev.clustermesh.agent.routing;

import java.util.Comparator;

/**
 * One route to a remote cluster's addresses.
 *
 * @param cidr destination (a remote node's pod CIDR)
 * @param via the remote node's IP (next hop in native mode, VXLAN remote in tunnel mode)
 * @param cluster the remote cluster
 * @param node the remote node
 */
public record Route(String cidr, String via, String cluster, String node) implements Comparable<Route> {
    private static final Comparator<Route> ORDER =
            Comparator.comparing(Route::cidr).thenComparing(Route::via).thenComparing(Route::cluster);

    @Override
    public int compareTo(Route o) {
        return ORDER.compare(this, o);
    }
}
