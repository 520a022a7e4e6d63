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

    /** The kubeconfig context of this cluster, as kind names it. */
    public String context() {
        return "kind-" + name;
    }
}
