package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Hook;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
import dev.clustermesh.agent.routing.Route;
import dev.clustermesh.core.net.IpAddresses;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The return path of connections that pods of remote clusters open to ClusterIPs of this cluster. Other clusters
 * route this cluster's service CIDRs to one node (see {@code RouteCompute}); that node DNATs the connection,
 * often to a backend on another node or in another cluster, whose reply would go straight back to the client's
 * cluster over the pod-CIDR routes, skipping the node that holds the connection's NAT: the client would get an
 * answer from the backend's address instead of the ClusterIP, and drop it. So the node masquerades connections
 * that it (or kube-proxy) DNAT-ed and that come from a remote cluster's pod CIDR, as kube-proxy does for traffic
 * from outside the cluster CIDR: replies then come back through it. The backend sees the node's address, not the
 * client's.
 *
 * <p>Renders the interval sets {@code remote_pods4}/{@code remote_pods6} of remote pod CIDRs ({@code auto-merge},
 * so overlapping or unaligned CIDRs from a remote Node record cannot fail the transaction) and the
 * {@code postrouting} chain at the {@code srcnat} priority. Pure.
 *
 * @param v4 remote IPv4 pod CIDRs, sorted
 * @param v6 remote IPv6 pod CIDRs, sorted
 */
record NftReturnPath(SortedSet<String> v4, SortedSet<String> v6) {
    /** No remote pods. */
    static final NftReturnPath NONE = new NftReturnPath(new TreeSet<>(), new TreeSet<>());
    /** {@code srcnat}: after routing, where masquerading belongs. */
    static final int PRIORITY = 100;

    NftReturnPath {
        v4 = Collections.unmodifiableSortedSet(new TreeSet<>(v4));
        v6 = Collections.unmodifiableSortedSet(new TreeSet<>(v6));
    }

    /** The pod CIDRs of {@code routes} (service CIDR routes and malformed CIDRs left out). */
    static NftReturnPath of(Collection<Route> routes) {
        SortedSet<String> v4 = new TreeSet<>();
        SortedSet<String> v6 = new TreeSet<>();
        for (Route r : routes) {
            if (r.kind() == Route.Kind.POD && IpAddresses.cidrProblem(r.cidr()).isEmpty()) {
                (r.cidr().indexOf(':') >= 0 ? v6 : v4).add(r.cidr());
            }
        }
        return new NftReturnPath(v4, v6);
    }

    /** The sets {@code remote_pods4/6}: intervals, so that overlapping CIDRs merge. */
    static List<NftObjects.Set> sets() {
        return List.of(set("4", Kind.IPV4_ADDR), set("6", Kind.IPV6_ADDR));
    }

    private static NftObjects.Set set(String suffix, Kind kind) {
        return new NftObjects.Set("remote_pods" + suffix, List.of(Field.type(kind)), List.of(), true, null);
    }

    /** Adds the sets with their CIDRs and the postrouting chain to {@code tx}. */
    void declare(NftTransaction tx) {
        List<NftObjects.Set> sets = sets();
        tx.add(sets.get(0)).add(sets.get(1));
        tx.add(new Chain("postrouting", new Hook("nat", "postrouting", PRIORITY)))
                .add(new Rule("postrouting", "ct status dnat ip saddr @remote_pods4 masquerade"))
                .add(new Rule("postrouting", "ct status dnat ip6 saddr @remote_pods6 masquerade"));
        v4.forEach(c -> tx.add(Element.ofKey("remote_pods4", List.of(c))));
        v6.forEach(c -> tx.add(Element.ofKey("remote_pods6", List.of(c))));
    }

    /** Adds to {@code tx} what turns {@code before}'s sets into this one's; only the sets that differ are rewritten. */
    void update(NftTransaction tx, NftReturnPath before) {
        update(tx, 0, before.v4, v4);
        update(tx, 1, before.v6, v6);
    }

    /** Adds to {@code tx} what rewrites both sets whatever they hold (after adopting a table). */
    void rewrite(NftTransaction tx) {
        update(tx, 0, null, v4);
        update(tx, 1, null, v6);
    }

    private static void update(NftTransaction tx, int which, SortedSet<String> before, SortedSet<String> after) {
        if (after.equals(before)) {
            return;
        }
        NftObjects.Set set = sets().get(which);
        tx.flush(set);
        after.forEach(c -> tx.add(Element.ofKey(set.name(), List.of(c))));
    }
}
