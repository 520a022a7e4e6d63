package dev.clustermesh.agent.routing;

import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.NodeAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/** Computes the routes to every remote cluster's pod CIDRs. Pure. */
public final class RouteCompute {
    private RouteCompute() {
    }

    /**
     * One route per pod CIDR of every node of every cluster but {@code localCluster}, via the node's
     * InternalIP (else its first IP address). Nodes without an IP and malformed CIDRs are left out.
     */
    public static SortedSet<Route> compute(String localCluster, MeshSnapshot snapshot) {
        return compute(localCluster, snapshot.nodes());
    }

    /** The same from every cluster's nodes. */
    public static SortedSet<Route> compute(String localCluster, Map<String, List<Node>> nodes) {
        SortedSet<Route> routes = new TreeSet<>();
        for (Map.Entry<String, List<Node>> e : nodes.entrySet()) {
            if (e.getKey().equals(localCluster)) {
                continue;
            }
            for (Node n : e.getValue()) {
                Optional<String> via = nodeIp(n);
                if (via.isEmpty()) {
                    continue;
                }
                for (String cidr : n.getPodCidrsList()) {
                    if (IpAddresses.cidrProblem(cidr).isEmpty()) {
                        routes.add(new Route(cidr, via.get(), e.getKey(), n.getName()));
                    }
                }
            }
        }
        return routes;
    }

    static Optional<String> nodeIp(Node n) {
        Optional<String> internal = n.getAddressesList().stream().filter(a -> a.getType().equals("InternalIP"))
                .map(NodeAddress::getAddress).filter(IpAddresses::isLiteral).findFirst();
        return internal.isPresent() ? internal : n.getAddressesList().stream().map(NodeAddress::getAddress)
                .filter(IpAddresses::isLiteral).findFirst();
    }
}
