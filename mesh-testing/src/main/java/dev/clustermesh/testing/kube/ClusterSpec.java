package dev.clustermesh.testing.kube;

import java.util.List;

/**
 * What one test cluster looks like.
 *
 * @param name        cluster name, also the kubeconfig context {@code kind-<name>}
 * @param id          cluster ID; its nodes' addresses are {@code 127.0.<id>.<2..>}
 * @param podCidr     kube-controller-manager {@code --cluster-cidr} (node pod CIDRs are /24s of it)
 * @param serviceCidr kube-apiserver {@code --service-cluster-ip-range}
 * @param nodes       the nodes, control plane first
 */
public record ClusterSpec(String name, int id, String podCidr, String serviceCidr, List<NodeSpec> nodes) {
    public ClusterSpec {
        nodes = List.copyOf(nodes);
    }

    /** A node kwok simulates: its name and InternalIP (a loopback address, so a local process can serve it). */
    public record NodeSpec(String name, String ip, boolean controlPlane) {
    }

    /**
     * The seed's kind cluster {@code cluster<id>}: pods {@code 10.<id>0.0.0/16}, services {@code 10.<id>1.0.0/16},
     * a control plane and two workers named as kind names them.
     */
    public static ClusterSpec seed(int id) {
        String name = "cluster" + id;
        String base = "127.0." + id + ".";
        return new ClusterSpec(name, id, "10." + id + "0.0.0/16", "10." + id + "1.0.0/16", List.of(
                new NodeSpec(name + "-control-plane", base + 2, true), new NodeSpec(name + "-worker", base + 3, false),
                new NodeSpec(name + "-worker2", base + 4, false)));
    }

    /**
     * The seed's cluster made dual-stack: IPv6 pod CIDR {@code fd00:10:<id>0::/56} and Service CIDR
     * {@code fd00:10:<id>1::/108} beside the IPv4 ones (kwok still gives pods IPv4 addresses only).
     */
    public static ClusterSpec dualStack(int id) {
        ClusterSpec v4 = seed(id);
        return new ClusterSpec(v4.name(), id, v4.podCidr() + ",fd00:10:" + id + "0::/56",
                v4.serviceCidr() + ",fd00:10:" + id + "1::/108", v4.nodes());
    }

    /** The first (IPv4) pod CIDR. */
    public String primaryPodCidr() {
        return podCidr.split(",")[0];
    }

    /** The kubeconfig context of this cluster, as kind names it. */
    public String context() {
        return "kind-" + name;
    }
}
