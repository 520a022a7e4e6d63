package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes and removes the root demo's network (see {@link DemoNetwork}) with {@code ip} and {@code nft}. Every
 * namespace and link is recorded in the state and saved <em>before</em> it is made, so {@link #teardown()} can
 * remove what a failed or interrupted {@code up} left; teardown ignores what is already gone.
 */
final class NetworkSetup {
    private static final long TIMEOUT_SECONDS = 30;
    private final DemoState state;

    NetworkSetup(DemoState state) {
        this.state = state;
    }

    /**
     * The node namespaces, linked by their underlay (see {@link #underlay}), each with a veth to the root namespace and the
     * demo's DNS redirection towards {@code dnsPort} of its cluster.
     *
     * @throws MeshCtlException naming the command that failed and what it said
     */
    void nodes() {
        String prefix = state.netPrefix();
        List<String> left = existing().stream().filter(ns -> ns.startsWith(prefix + "-")).toList();
        if (!left.isEmpty()) {
            // Named after this directory, so an earlier demo here whose demo.json is gone; not recorded, so not ours
            // to remove silently.
            throw new MeshCtlException("network namespaces of an earlier demo in " + state.dir() + " are left ("
                    + String.join(", ", left) + "); remove them with: ip netns del " + String.join(" && ip netns del ",
                    left));
        }
        state.hostNet(freeHostNet(prefix, state.clusters().size()));
        for (DemoState.Cluster c : state.clusters().values()) {
            String node = namespace(DemoNetwork.nodeNs(prefix, c.id()));
            run("ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        }
        underlay(prefix);
        for (DemoState.Cluster c : state.clusters().values()) {
            String node = DemoNetwork.nodeNs(prefix, c.id());
            run("ip", "-n", node, "addr", "add", DemoLayout.nodeIp(c.id()) + "/16", "dev", DemoNetwork.UNDERLAY_LINK);
            run("ip", "-n", node, "link", "set", DemoNetwork.UNDERLAY_LINK, "up");
            run("ip", "-n", node, "route", "add", "default", "dev", DemoNetwork.UNDERLAY_LINK);
            hostLink(c, node);
        }
    }

    private void hostLink(DemoState.Cluster c, String node) {
        String link = DemoNetwork.hostLink(state.netPrefix(), c.id());
        state.links().add(link);
        state.save();
        run("ip", "link", "add", link, "type", "veth", "peer", "name", DemoNetwork.HOST_LINK, "netns", node);
        run("ip", "addr", "add", DemoNetwork.hostIp(state.hostNet(), c.id()) + "/30", "dev", link);
        run("ip", "link", "set", link, "up");
        run("ip", "-n", node, "addr", "add", DemoNetwork.nodeHostIp(state.hostNet(), c.id()) + "/30", "dev",
                DemoNetwork.HOST_LINK);
        run("ip", "-n", node, "link", "set", DemoNetwork.HOST_LINK, "up");
        runWithInput(DemoNetwork.dnsRules(DemoNetwork.hostIp(state.hostNet(), c.id()), c.port(DemoLayout.DNS)),
                "ip", "netns", "exec", node, "nft", "-f", "-");
    }

    /**
     * Pod {@code k} of {@code deployment} on cluster {@code c}'s node, unless it exists: its namespace, a veth to
     * the node, a /32 routed through {@link DemoNetwork#GATEWAY}, and its resolv.conf. Returns whether it was made.
     */
    boolean pod(DemoState.Cluster c, String deployment, int k) {
        return pod(c, DemoNetwork.podNs(state.netPrefix(), c.id(), deployment, k), DemoNetwork.podLink(deployment, k),
                DemoLayout.podIp(c.id(), deployment, k));
    }

    /**
     * The namespace of a pod applied with {@code demo apply} whose address {@code ip} is free in the node's pod
     * range ({@link DemoLayout#freePodAddress}), unless it exists; named after the address. Returns whether it was
     * made.
     */
    boolean appliedPod(DemoState.Cluster c, String ip) {
        return pod(c, DemoNetwork.podNsAt(state.netPrefix(), c.id(), ip), DemoNetwork.podLinkAt(ip), ip);
    }

    private boolean pod(DemoState.Cluster c, String ns, String link, String ip) {
        if (state.namespaces().contains(ns)) {
            return false;
        }
        String node = DemoNetwork.nodeNs(state.netPrefix(), c.id());
        namespace(ns);
        writeResolvConf(ns);
        run("ip", "-n", node, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "addr", "add", ip + "/32", "dev", "eth0");
        run("ip", "-n", ns, "route", "add", DemoNetwork.GATEWAY, "dev", "eth0");
        run("ip", "-n", ns, "route", "add", "default", "via", DemoNetwork.GATEWAY, "dev", "eth0");
        run("ip", "-n", node, "addr", "add", DemoNetwork.GATEWAY + "/32", "dev", link);
        run("ip", "-n", node, "link", "set", link, "up");
        run("ip", "-n", node, "route", "add", ip + "/32", "dev", link);
        return true;
    }

    /**
     * The nodes' underlay: one veth pair between two nodes; with more, a bridge in a namespace of its own with a
     * veth to each node.
     */
    private void underlay(String prefix) {
        if (state.clusters().size() == 2) {
            run("ip", "-n", DemoNetwork.nodeNs(prefix, 1), "link", "add", DemoNetwork.UNDERLAY_LINK, "type", "veth",
                    "peer", "name", DemoNetwork.UNDERLAY_LINK, "netns", DemoNetwork.nodeNs(prefix, 2));
            return;
        }
        String bridge = namespace(DemoNetwork.underlayNs(prefix));
        run("ip", "-n", bridge, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", bridge, "link", "set", "br0", "up");
        for (DemoState.Cluster c : state.clusters().values()) {
            String port = "c" + c.id();
            run("ip", "-n", DemoNetwork.nodeNs(prefix, c.id()), "link", "add", DemoNetwork.UNDERLAY_LINK, "type",
                    "veth", "peer", "name", port, "netns", bridge);
            run("ip", "-n", bridge, "link", "set", port, "master", "br0");
            run("ip", "-n", bridge, "link", "set", port, "up");
        }
    }

    private String namespace(String ns) {
        state.namespaces().add(ns);
        state.save();
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    private static void writeResolvConf(String ns) {
        Path dir = DemoNetwork.etcDir(ns);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("resolv.conf"), DemoNetwork.resolvConf());
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + dir.resolve("resolv.conf") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes every recorded namespace (with the links and nftables tables in it), root-namespace link and
     * {@code /etc/netns} entry, newest first; what is already gone is skipped. Returns how many namespaces it
     * removed.
     *
     * @throws MeshCtlException when one still exists after {@code ip} tried to remove it
     */
    int teardown() {
        if (state.namespaces().isEmpty() && state.links().isEmpty()) {
            return 0;
        }
        List<String> present = existing();
        List<String> failures = new ArrayList<>();
        for (String link : state.links()) {
            if (exists(List.of("ip", "link", "show", link))) {
                exec(List.of("ip", "link", "del", link), null);
            }
        }
        List<String> namespaces = new ArrayList<>(state.namespaces());
        Collections.reverse(namespaces);
        int removed = 0;
        for (String ns : namespaces) {
            if (present.contains(ns)) {
                Result r = exec(List.of("ip", "netns", "del", ns), null);
                if (r.code() == 0) {
                    removed++;
                } else {
                    failures.add(ns + ": " + r.output().strip());
                }
            }
            DemoRunner.deleteTree(DemoNetwork.etcDir(ns));
        }
        if (!failures.isEmpty()) {
            throw new MeshCtlException("cannot remove network namespaces " + String.join("; ", failures));
        }
        return removed;
    }

    /** The named network namespaces that exist now. */
    static List<String> existing() {
        Result r = exec(List.of("ip", "netns", "list"), null);
        return r.output().lines().map(l -> l.trim().split(" ")[0]).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Free host networks for the demo's {@code count} clusters: the first run of {@code count} from its own on that no
     * address uses yet.
     */
    private static int freeHostNet(String prefix, int count) {
        String used = exec(List.of("ip", "-4", "-o", "addr", "show"), null).output();
        int n = DemoNetwork.firstHostNet(prefix);
        for (int tries = 0; tries < DemoNetwork.HOST_NETS / 2; tries++) {
            boolean free = n + count <= DemoNetwork.HOST_NETS;
            for (int k = 0; k < count && free; k++) {
                free = !taken(used, DemoNetwork.hostNetBase(n + k));
            }
            if (free) {
                return n;
            }
            n = (n + 2) % DemoNetwork.HOST_NETS;
        }
        throw new MeshCtlException("no free /30 in 169.254.2.0/16 for the demo's host links");
    }

    private static boolean taken(String used, String base) {
        int dot = base.lastIndexOf('.');
        int last = Integer.parseInt(base.substring(dot + 1));
        for (int k = 0; k < 4; k++) {
            if (used.contains(" " + base.substring(0, dot + 1) + (last + k) + "/")) {
                return true;
            }
        }
        return false;
    }

    private static boolean exists(List<String> argv) {
        return exec(argv, null).code() == 0;
    }

    static void run(String... argv) {
        check(exec(List.of(argv), null), argv);
    }

    private static void runWithInput(String input, String... argv) {
        check(exec(List.of(argv), input), argv);
    }

    private static void check(Result r, String... argv) {
        if (r.code() != 0) {
            throw new MeshCtlException("'" + String.join(" ", argv) + "' failed (exit " + r.code() + "): "
                    + r.output().strip());
        }
    }

    /** Exit code and combined output of a finished command. */
    record Result(int code, String output) {
    }

    /** Runs a command to completion, feeding it {@code input} when not null. */
    static Result exec(List<String> argv, String input) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (input != null) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new MeshCtlException("'" + String.join(" ", argv) + "' did not finish within "
                        + TIMEOUT_SECONDS + "s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new MeshCtlException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshCtlException("interrupted while running " + argv.get(0));
        }
    }
}
