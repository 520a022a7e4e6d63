package dev.clustermesh.agent.datapath.netlab;

import static dev.clustermesh.agent.datapath.netlab.NetnsLab.exec;

import java.util.HashMap;
import java.util.Map;

/**
 * Clusters of one node each, as the seed manifests describe them: node N is a namespace with underlay address
 * {@code 192.168.N.2/16} on a veth shared by all nodes' links (a point-to-point pair for two clusters), IP
 * forwarding on and a default route out of the underlay (so that the node's own traffic to a ClusterIP has a
 * route to be DNAT-ed from). Pods are namespaces with a {@code /32} on a veth to their node, routed the way
 * Calico does it: default via {@code 169.254.1.1}, which the node holds on every pod link, and a host route per
 * pod on the node. All traffic between pods goes through the node, so its nftables rules see it.
 */
public final class ClusterNetwork {
    private final NetnsLab lab;
    private final Map<Integer, String> nodes = new HashMap<>();

    private ClusterNetwork(NetnsLab lab) {
        this.lab = lab;
    }

    /** Two nodes, {@code c1n} and {@code c2n}, linked. */
    public static ClusterNetwork twoClusters(NetnsLab lab) {
        ClusterNetwork net = new ClusterNetwork(lab);
        for (int c = 1; c <= 2; c++) {
            String ns = lab.namespace("c" + c + "n");
            net.nodes.put(c, ns);
            exec(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        }
        exec(null, "ip", "-n", net.node(1), "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns",
                net.node(2));
        for (int c = 1; c <= 2; c++) {
            exec(net.node(c), "ip", "addr", "add", nodeIp(c) + "/16", "dev", "ul0");
            exec(net.node(c), "ip", "link", "set", "ul0", "up");
            exec(net.node(c), "ip", "route", "add", "default", "dev", "ul0");
        }
        return net;
    }

    /** The underlay address of cluster {@code c}'s node, as in the seed's Node manifest. */
    public static String nodeIp(int c) {
        return "192.168." + c + ".2";
    }

    /** The namespace of cluster {@code c}'s node. */
    public String node(int c) {
        return nodes.get(c);
    }

    /** Adds pod {@code name} with address {@code ip} on cluster {@code c}'s node; returns its namespace. */
    public String pod(int c, String name, String ip) {
        String ns = lab.namespace("c" + c + name);
        String node = node(c);
        String link = "v-" + name;
        exec(null, "ip", "-n", node, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
        exec(ns, "ip", "link", "set", "eth0", "up");
        exec(ns, "ip", "addr", "add", ip + "/32", "dev", "eth0");
        exec(ns, "ip", "route", "add", "169.254.1.1", "dev", "eth0");
        exec(ns, "ip", "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        exec(node, "ip", "addr", "add", "169.254.1.1/32", "dev", link);
        exec(node, "ip", "link", "set", link, "up");
        exec(node, "ip", "route", "add", ip + "/32", "dev", link);
        return ns;
    }

    /**
     * Makes the two nodes route IPv6 between them: underlay {@code fd00:ff::<c>/64}, and cluster {@code c}'s pods
     * under {@code fd00:10:<c>::/48} (see {@link #podIpv6}). Without duplicate address detection, so the addresses
     * are usable at once.
     */
    public void ipv6() {
        for (int c = 1; c <= 2; c++) {
            exec(node(c), "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
            exec(node(c), "ip", "-6", "addr", "add", "fd00:ff::" + c + "/64", "dev", "ul0", "nodad");
            exec(node(c), "ip", "-6", "route", "add", "fd00:10:" + (3 - c) + "::/48", "via", "fd00:ff::" + (3 - c),
                    "dev", "ul0");
        }
    }

    /**
     * Gives pod {@code name} of cluster {@code c}, in namespace {@code ns} (as {@link #pod} made it), the IPv6 address
     * {@code ip} too.
     */
    public void podIpv6(int c, String name, String ns, String ip) {
        String node = node(c);
        String link = "v-" + name;
        exec(ns, "ip", "-6", "addr", "add", ip + "/128", "dev", "eth0", "nodad");
        exec(node, "ip", "-6", "addr", "add", "fe80::1/64", "dev", link, "nodad");
        exec(ns, "ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
        exec(node, "ip", "-6", "route", "add", ip + "/128", "dev", link);
    }
}
