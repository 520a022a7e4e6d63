package dev.clustermesh.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.NodeAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RouteComputeTest {

    /**
     * @param nodes per node {@code "cluster/name addr... cidr..."}: words with a '/' are pod CIDRs, others addresses
     *        ({@code ext:} marks an ExternalIP, the rest are InternalIPs)
     * @param services per cluster {@code "cluster cidr..."}: its ClusterConfig's service CIDRs
     * @param expected routes as {@code "cidr via node kind"}, sorted
     */
    record Case(String name, List<String> nodes, List<String> services, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String A = "cluster2/node-a 192.168.2.2 10.20.1.0/24";
    private static final String B = "cluster2/node-b 192.168.2.3 10.20.2.0/24";
    private static final String C2 = "cluster2 10.21.0.0/16";

    static Stream<Case> cases() {
        return Stream.of(
                new Case("pod CIDRs only without a ClusterConfig", List.of(A, B), List.of(),
                        List.of("10.20.1.0/24 192.168.2.2 node-a POD", "10.20.2.0/24 192.168.2.3 node-b POD")),
                new Case("service CIDR via the lowest-named node", List.of(B, A), List.of(C2),
                        List.of("10.20.1.0/24 192.168.2.2 node-a POD", "10.20.2.0/24 192.168.2.3 node-b POD",
                                "10.21.0.0/16 192.168.2.2 node-a SERVICE")),
                new Case("the chosen node gone: the route moves to the next", List.of(B), List.of(C2),
                        List.of("10.20.2.0/24 192.168.2.3 node-b POD", "10.21.0.0/16 192.168.2.3 node-b SERVICE")),
                new Case("every node gone: no service route", List.of(), List.of(C2), List.of()),
                new Case("the cluster gone: nothing", List.of("cluster1/node-1 192.168.1.2 10.10.1.0/24"),
                        List.of("cluster1 10.11.0.0/16"), List.of()),
                new Case("the local cluster is never routed", List.of("cluster1/node-1 192.168.1.2 10.10.1.0/24", A),
                        List.of("cluster1 10.11.0.0/16", C2),
                        List.of("10.20.1.0/24 192.168.2.2 node-a POD", "10.21.0.0/16 192.168.2.2 node-a SERVICE")),
                new Case("a node without an address is passed over", List.of("cluster2/node-0 10.20.9.0/24", B),
                        List.of(C2), List.of("10.20.2.0/24 192.168.2.3 node-b POD",
                                "10.21.0.0/16 192.168.2.3 node-b SERVICE")),
                new Case("InternalIP before ExternalIP", List.of("cluster2/node-a ext:203.0.113.2 192.168.2.2"),
                        List.of(C2), List.of("10.21.0.0/16 192.168.2.2 node-a SERVICE")),
                new Case("each family via a node with an address of it",
                        List.of("cluster2/node-a 192.168.2.2 10.20.1.0/24 fd00:20:1::/64",
                                "cluster2/node-b 192.168.2.3 fd00::2:3 fd00:20:2::/64"),
                        List.of("cluster2 10.21.0.0/16 fd00:21::/108"),
                        List.of("10.20.1.0/24 192.168.2.2 node-a POD", "10.21.0.0/16 192.168.2.2 node-a SERVICE",
                                "fd00:20:2::/64 fd00::2:3 node-b POD", "fd00:21::/108 fd00::2:3 node-b SERVICE")),
                new Case("malformed CIDRs are left out", List.of("cluster2/node-a 192.168.2.2 10.20.1.0/33"),
                        List.of("cluster2 10.21.0.0 banana/8"), List.of()),
                new Case("two clusters each via their own node", List.of(A, "cluster3/node-x 192.168.3.2 10.30.1.0/24"),
                        List.of(C2, "cluster3 10.31.0.0/16"),
                        List.of("10.20.1.0/24 192.168.2.2 node-a POD", "10.21.0.0/16 192.168.2.2 node-a SERVICE",
                                "10.30.1.0/24 192.168.3.2 node-x POD", "10.31.0.0/16 192.168.3.2 node-x SERVICE")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void computesRoutes(Case c) {
        Map<String, List<Node>> nodes = new HashMap<>();
        for (String spec : c.nodes()) {
            String[] w = spec.split(" ");
            String[] name = w[0].split("/");
            Node.Builder n = Node.newBuilder().setCluster(name[0]).setName(name[1]);
            for (String word : Arrays.copyOfRange(w, 1, w.length)) {
                if (word.contains("/")) {
                    n.addPodCidrs(word);
                } else {
                    boolean ext = word.startsWith("ext:");
                    n.addAddresses(NodeAddress.newBuilder().setType(ext ? "ExternalIP" : "InternalIP")
                            .setAddress(ext ? word.substring(4) : word));
                }
            }
            nodes.computeIfAbsent(name[0], k -> new ArrayList<>()).add(n.build());
        }
        Map<String, ClusterConfig> configs = new HashMap<>();
        for (String spec : c.services()) {
            String[] w = spec.split(" ");
            configs.put(w[0], ClusterConfig.newBuilder().setName(w[0]).setId(w[0].charAt(w[0].length() - 1) - '0')
                    .addAllServiceCidrs(List.of(w).subList(1, w.length)).build());
        }

        List<String> got = RouteCompute.compute("cluster1", nodes, configs).stream()
                .map(r -> r.cidr() + " " + r.via() + " " + r.node() + " " + r.kind()).toList();

        assertThat(got).containsExactlyElementsOf(c.expected());
    }
}
