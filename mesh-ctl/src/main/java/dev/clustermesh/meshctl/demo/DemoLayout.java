package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the demo's parts live. Cluster {@code i} (1 or 2) is {@code cluster<i>} with ID {@code i}; its ports are
 * {@code <base> + 100*i + n} for the roles below, and its DNS listens on {@code <dns-port> + i - 1}, so with the
 * defaults cluster1's mesh-dns answers on 127.0.0.1:5353. Addresses follow the seed's manifests: pods in
 * {@code 10.<10i>.0.0/16}, services in {@code 10.<10i+1>.0.0/16}, the node at {@code 192.168.<i>.2}.
 */
public final class DemoLayout {
    public static final String ETCD = "etcd";
    public static final String ETCD_PEER = "etcd-peer";
    public static final String PROXY_API = "proxy-api";
    public static final String PROXY_MANAGEMENT = "proxy-management";
    public static final String AGENT_API = "agent-api";
    public static final String AGENT_MANAGEMENT = "agent-management";
    public static final String DNS = "dns";
    public static final String DNS_MANAGEMENT = "dns-management";
    /** Port roles in offset order. */
    static final List<String> ROLES = List.of(ETCD, ETCD_PEER, PROXY_API, PROXY_MANAGEMENT, AGENT_API,
            AGENT_MANAGEMENT, DNS_MANAGEMENT);
    public static final int DEFAULT_PORT_BASE = 32000;
    public static final int DEFAULT_DNS_PORT = 5353;
    private static final int LOWEST_FREE = 20000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    public static final String SERVICE = "rebel-base";
    public static final String CLIENT = "x-wing";
    public static final String NAMESPACE = "default";
    /** The most replicas {@code demo scale} sets. */
    public static final int MAX_REPLICAS = 20;

    private DemoLayout() {
    }

    public static String clusterName(int i) {
        return "cluster" + i;
    }

    /**
     * The ports of cluster {@code i}: fixed from {@code base}, or any free ones when {@code base} is 0.
     *
     * @throws MeshCtlException naming the port and its role when one is already in use
     */
    public static Map<String, Integer> ports(int i, int base, int dnsPort) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int n = 0; n < ROLES.size(); n++) {
            String role = ROLES.get(n);
            ports.put(role, base == 0 ? freePort() : checkFree(base + 100 * i + n, clusterName(i) + " " + role,
                    "--port-base"));
        }
        int dns = dnsPort == 0 ? freePort() : dnsPort + i - 1;
        if (dnsPort != 0) {
            checkFree(dns, clusterName(i) + " mesh-dns", "--dns-port");
        }
        ports.put(DNS, dns);
        return ports;
    }

    /** The cluster's service CIDR; the demo service's ClusterIP is {@code .0.10} in it. */
    public static String serviceCidr(int i) {
        return "10." + (10 * i + 1) + ".0.0/16";
    }

    public static String podCidr(int i) {
        return "10." + (10 * i) + ".0.0/16";
    }

    public static String nodeName(int i) {
        return clusterName(i) + "-node1";
    }

    public static String nodeIp(int i) {
        return "192.168." + i + ".2";
    }

    /** The node's pod CIDR, inside the cluster's. */
    public static String nodePodCidr(int i) {
        return "10." + (10 * i) + ".1.0/24";
    }

    public static String clusterIp(int i) {
        return "10." + (10 * i + 1) + ".0.10";
    }

    /** Pod {@code k} (1-based) of a deployment: rebel-base from .11, x-wing from .101. */
    public static String podIp(int i, String deployment, int k) {
        int offset = SERVICE.equals(deployment) ? 10 : 100;
        return "10." + (10 * i) + ".1." + (offset + k);
    }

    /**
     * Whether {@code ip} lies in cluster {@code i}'s node pod range {@code 10.<10i>.1.2-254} and is no deployment
     * pod's address (those of up to {@value #MAX_REPLICAS} replicas): where a Pod applied with {@code demo apply}
     * gets a network namespace of its own.
     */
    public static boolean freePodAddress(int i, String ip) {
        String range = "10." + (10 * i) + ".1.";
        if (ip == null || !ip.startsWith(range) || !ip.substring(range.length()).matches("\\d{1,3}")) {
            return false;
        }
        int last = Integer.parseInt(ip.substring(range.length()));
        boolean deployment = last > 10 && last <= 10 + MAX_REPLICAS || last > 100 && last <= 100 + MAX_REPLICAS;
        return last >= 2 && last <= 254 && !deployment;
    }

    /** Pod name, e.g. {@code rebel-base-1}. */
    public static String podName(String deployment, int k) {
        return deployment + "-" + k;
    }

    private static int checkFree(int port, String what, String option) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new MeshCtlException("port " + port + " (" + what + ") is in use; stop what holds it or pick "
                    + "other ports with " + option);
        }
        if (what.endsWith("mesh-dns")) {
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    port))) {
                d.getLocalPort();
            } catch (IOException e) {
                throw new MeshCtlException("UDP port " + port + " (" + what + ") is in use; stop what holds it or "
                        + "pick another with " + option);
            }
        }
        return port;
    }

    /**
     * A port free now for TCP and UDP on loopback, taken from below the kernel's ephemeral range: a port from
     * {@code bind(0)} can be handed out again as the source port of another process's outgoing connection in the
     * seconds before the demo's server binds it (seen in CI as a demo proxy failing to start).
     */
    private static int freePort() {
        int below = ephemeralLow();
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = LOWEST_FREE + ThreadLocalRandom.current().nextInt(Math.max(1000, below - LOWEST_FREE));
            if (HANDED_OUT.add(port) && isFree(port)) {
                return port;
            }
        }
        throw new MeshCtlException("cannot find a free port in " + LOWEST_FREE + ".." + (below - 1)
                + "; pick ports with --port-base");
    }

    private static boolean isFree(int port) {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(at);
        } catch (IOException e) {
            return false;
        }
        try (DatagramSocket d = new DatagramSocket(at)) {
            return d.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        // Files.readString reads /proc files wrongly on JDK 17 (they report size 0): read a line instead.
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
