package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.routing.Route;
import dev.clustermesh.core.net.IpAddresses;
import java.util.ArrayList;
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

    /** The sets and the postrouting chain, inside the table block. */
    void declare(NftText b) {
        set(b, "4", "ipv4_addr", v4);
        set(b, "6", "ipv6_addr", v6);
        b.append("\tchain postrouting {\n\t\ttype nat hook postrouting priority ").append(PRIORITY)
                .append("; policy accept;\n")
                .append("\t\tct status dnat ip saddr @remote_pods4 masquerade\n")
                .append("\t\tct status dnat ip6 saddr @remote_pods6 masquerade\n\t}\n");
    }

    private static void set(NftText b, String suffix, String type, SortedSet<String> cidrs) {
        b.append("\tset remote_pods").append(suffix).append(" {\n\t\ttype ").append(type)
                .append("\n\t\tflags interval\n\t\tauto-merge\n");
        if (!cidrs.isEmpty()) {
            b.append("\t\telements = { ").append(String.join(", ", cidrs)).append(" }\n");
        }
        b.append("\t}\n");
    }

    /** Statements that turn {@code before}'s sets into this one's; only the sets that differ are rewritten. */
    List<String> update(NftReturnPath before) {
        List<String> out = new ArrayList<>();
        update(out, "4", before.v4, v4);
        update(out, "6", before.v6, v6);
        return out;
    }

    /** Statements that rewrite both sets whatever they hold (after adopting a table). */
    List<String> rewrite() {
        List<String> out = new ArrayList<>();
        update(out, "4", null, v4);
        update(out, "6", null, v6);
        return out;
    }

    private static void update(List<String> out, String suffix, SortedSet<String> before, SortedSet<String> after) {
        if (after.equals(before)) {
            return;
        }
        String set = " inet " + NftRender.TABLE + " remote_pods" + suffix;
        out.add("flush set" + set);
        if (!after.isEmpty()) {
            out.add("add element" + set + " { " + String.join(", ", after) + " }");
        }
    }
}
