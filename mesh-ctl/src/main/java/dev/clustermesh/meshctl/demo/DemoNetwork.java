package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Names and addresses of the root demo's network, a pure function of the demo directory, the cluster and the pod.
 *
 * <p>Every namespace and root-namespace link starts with {@link #prefix(Path)}, {@code cm} and six hex digits of a
 * hash of the directory, so two demos with different {@code --dir} coexist and every name stays within the
 * kernel's 15 characters for links. Cluster {@code i} has a node namespace {@code <prefix>-c<i>n} and one
 * namespace per pod, {@code <prefix>-c<i>rb<k>} (rebel-base-k) and {@code <prefix>-c<i>xw<k>} (x-wing-k), or
 * {@code <prefix>-c<i>p<last octet>} for a Pod applied with {@code demo apply} at a free address. Pods
 * reach the node through {@link #GATEWAY}, which is also their DNS server: the node DNATs port 53 of it to the
 * cluster's mesh-dns across a veth to the root namespace ({@code <prefix>h<i>} there, {@link #HOST_LINK} in the
 * node), whose /30 lies in 169.254.2.0–169.254.254.255 and is picked per demo.
 */
final class DemoNetwork {
    /** The pods' default gateway and name server, held by the node on every pod link (Calico's choice). */
    static final String GATEWAY = "169.254.1.1";
    /** The node's end of its veth to the root namespace. */
    static final String HOST_LINK = "host0";
    /** The node's underlay link, between the two node namespaces. */
    static final String UNDERLAY_LINK = "ul0";
    /** The demo's own nftables table in each node namespace (the agent keeps {@code inet clustermesh}). */
    static final String TABLE = "meshdemo";
    /** How many /30 networks the host links can use: third octet 2..254 without 169, four per 16 addresses. */
    static final int HOST_NETS = 252 * 64;

    private DemoNetwork() {
    }

    /** {@code cm} and six hex digits of the SHA-256 of the absolute, normalised directory. */
    static String prefix(Path dir) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(dir.toAbsolutePath().normalize().toString()
                    .getBytes(StandardCharsets.UTF_8));
            return "cm" + HexFormat.of().formatHex(h, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The first host network index to try for a demo: even (its clusters use n, n+1 and, with three, n+2: free ones
     * are looked for from here on), from the prefix.
     */
    static int firstHostNet(String prefix) {
        return (Integer.parseInt(prefix.substring(2), 16) % (HOST_NETS / 2)) * 2;
    }

    /** The namespace of the bridge the nodes of a demo with more than two clusters share. */
    static String underlayNs(String prefix) {
        return prefix + "-ul";
    }

    static String nodeNs(String prefix, int i) {
        return prefix + "-c" + i + "n";
    }

    static String podNs(String prefix, int i, String deployment, int k) {
        return prefix + "-c" + i + shortName(deployment) + k;
    }

    /** The namespace of a pod applied with {@code demo apply}, after its address: {@code <prefix>-c<i>p<last octet>}. */
    static String podNsAt(String prefix, int i, String ip) {
        return prefix + "-c" + i + podLinkAt(ip);
    }

    /** The link of a pod applied with {@code demo apply} in its node's namespace, e.g. {@code p201}. */
    static String podLinkAt(String ip) {
        return "p" + ip.substring(ip.lastIndexOf('.') + 1);
    }

    /** The pod's link in its node's namespace, e.g. {@code rb1}. */
    static String podLink(String deployment, int k) {
        return shortName(deployment) + k;
    }

    static String hostLink(String prefix, int i) {
        return prefix + "h" + i;
    }

    /** The /30 number {@code n}: {@code 169.254.<2+n/64 (skipping 169)>.<4*(n%64)>}. */
    static String hostNetBase(int n) {
        int third = 2 + n / 64;
        if (third >= 169) {
            third++;
        }
        return "169.254." + third + "." + 4 * (n % 64);
    }

    /** The root namespace's address on cluster {@code i}'s host link, where its mesh-dns answers pods. */
    static String hostIp(int hostNet, int i) {
        return offset(hostNetBase(hostNet + i - 1), 1);
    }

    /** The node's address on its host link. */
    static String nodeHostIp(int hostNet, int i) {
        return offset(hostNetBase(hostNet + i - 1), 2);
    }

    private static String offset(String base, int by) {
        int dot = base.lastIndexOf('.');
        return base.substring(0, dot + 1) + (Integer.parseInt(base.substring(dot + 1)) + by);
    }

    private static String shortName(String deployment) {
        if (DemoLayout.SERVICE.equals(deployment)) {
            return "rb";
        }
        if (DemoLayout.CLIENT.equals(deployment)) {
            return "xw";
        }
        throw new IllegalArgumentException("the demo has no deployment '" + deployment + "'");
    }

    /** The node namespace's nftables: pods' DNS to the gateway goes to mesh-dns in the root namespace. */
    static String dnsRules(String hostIp, int dnsPort) {
        return "table ip " + TABLE + " {\n"
                + "  chain prerouting {\n"
                + "    type nat hook prerouting priority dstnat; policy accept;\n"
                + "    ip daddr " + GATEWAY + " udp dport 53 dnat to " + hostIp + ":" + dnsPort + "\n"
                + "    ip daddr " + GATEWAY + " tcp dport 53 dnat to " + hostIp + ":" + dnsPort + "\n"
                + "  }\n"
                + "  chain postrouting {\n"
                + "    type nat hook postrouting priority srcnat; policy accept;\n"
                // The root namespace has no routes to pods (two demos use the same pod addresses), so it must
                // see the node's address, which conntrack maps back.
                + "    oifname \"" + HOST_LINK + "\" masquerade\n"
                + "  }\n"
                + "}\n";
    }

    /** What a pod's {@code /etc/resolv.conf} says, bind-mounted there by {@code ip netns exec}. */
    static String resolvConf() {
        return "# written by meshctl demo: mesh-dns of this pod's cluster, through the node\n"
                + "nameserver " + GATEWAY + "\n"
                + "search " + DemoLayout.NAMESPACE + ".svc.clusterset.local svc.clusterset.local\n";
    }

    /** Where {@code ip netns exec} looks for a namespace's own files. */
    static Path etcDir(String ns) {
        return Path.of("/etc/netns", ns);
    }

    /**
     * Why this machine cannot run the nftables demo, or empty when it can: root (network namespaces, nftables)
     * and the {@code ip}, {@code nft} commands.
     */
    static Optional<String> unsupported() {
        if (!root()) {
            return Optional.of("it needs root (network namespaces and nftables)");
        }
        for (List<String> tool : List.of(List.of("ip", "iproute2"), List.of("nft", "nftables"))) {
            try {
                Processes.binary(tool.get(0), tool.get(1));
            } catch (MeshCtlException e) {
                return Optional.of(e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * @throws MeshCtlException saying that {@code what} needs root, unless this process runs as root or the demo
     *     has no network of its own
     */
    static void requireRootFor(DemoState state, String what) {
        if (!state.namespaces().isEmpty() && !root()) {
            throw new MeshCtlException("the demo in " + state.dir() + " was started as root with network namespaces;"
                    + " " + what + " needs root too");
        }
    }

    /** Whether this process's effective user is root, read from {@code /proc/self/status}. */
    static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
        return false;
    }
}
