package dev.clustermesh.agent.routing;

import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.NodeAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/** Computes the routes to every remote cluster's pod and service CIDRs. Pure. */
public final class RouteCompute {
    private RouteCompute() {
    }

    /** {@link #compute(String, Map, Map)} of a snapshot. */
    public static SortedSet<Route> compute(String localCluster, MeshSnapshot snapshot) {
        return compute(localCluster, snapshot.nodes(), snapshot.configs());
    }

    /** Routes to remote pod CIDRs only (no ClusterConfigs known). */
    public static SortedSet<Route> compute(String localCluster, Map<String, List<Node>> nodes) {
        return compute(localCluster, nodes, Map.of());
    }

    /**
     * For every cluster but {@code localCluster}: one route per pod CIDR of each node, via that node; and one
     * route per service CIDR of its ClusterConfig, via the cluster's <b>lowest-named node</b> that has an address
     * of the CIDR's family. That node receives the traffic to the cluster's ClusterIPs and DNATs it with its own
     * service rules (its agent's table, or kube-proxy's); every agent picks the same node, and when that node's
     * record goes the route moves to the next one. Node records carry no readiness (the exporter publishes every
     * Node), so a node that stays registered while down keeps the route until it is deleted.
     *
     * <p>A node's address for a CIDR is its InternalIP of the CIDR's family, else its first address of that
     * family. Nodes without such an address and malformed CIDRs are left out; a cluster without a ClusterConfig
     * (not connected yet, or withdrawn) or without nodes gets no service route.
     */
    public static SortedSet<Route> compute(String localCluster, Map<String, List<Node>> nodes,
            Map<String, ClusterConfig> configs) {
        SortedSet<Route> routes = new TreeSet<>();
        for (Map.Entry<String, List<Node>> e : nodes.entrySet()) {
            if (e.getKey().equals(localCluster)) {
                continue;
            }
            for (Node n : e.getValue()) {
                for (String cidr : n.getPodCidrsList()) {
                    if (IpAddresses.cidrProblem(cidr).isEmpty()) {
                        nodeIp(n, isV6(cidr)).ifPresent(via -> routes.add(new Route(cidr, via, e.getKey(), n.getName())));
                    }
                }
            }
        }
        for (Map.Entry<String, ClusterConfig> e : configs.entrySet()) {
            if (e.getKey().equals(localCluster)) {
                continue;
            }
            List<Node> byName = nodes.getOrDefault(e.getKey(), List.of()).stream()
                    .sorted(Comparator.comparing(Node::getName)).toList();
            for (String cidr : e.getValue().getServiceCidrsList()) {
                if (IpAddresses.cidrProblem(cidr).isPresent()) {
                    continue;
                }
                boolean v6 = isV6(cidr);
                for (Node n : byName) {
                    Optional<String> via = nodeIp(n, v6);
                    if (via.isPresent()) {
                        routes.add(new Route(cidr, via.get(), e.getKey(), n.getName(), Route.Kind.SERVICE));
                        break;
                    }
                }
            }
        }
        return routes;
    }

    private static boolean isV6(String cidr) {
        return cidr.indexOf(':') >= 0;
    }

    static Optional<String> nodeIp(Node n, boolean v6) {
        Optional<String> internal = n.getAddressesList().stream().filter(a -> a.getType().equals("InternalIP"))
                .map(NodeAddress::getAddress).filter(a -> IpAddresses.isLiteral(a) && isV6(a) == v6).findFirst();
        return internal.isPresent() ? internal : n.getAddressesList().stream().map(NodeAddress::getAddress)
                .filter(a -> IpAddresses.isLiteral(a) && isV6(a) == v6).findFirst();
    }
}
