package dev.clustermesh.agent.chaos;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.agent.datapath.nftables.NftablesDatapath;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.testing.Command;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The campaign's nftables agents' nodes: one network namespace per cluster, which that cluster's nftables agent
 * programs, and what the kernel holds there read back with {@code nft list table}, so that the oracle judges the
 * packets' load balancing, not only what the agent says it applied. Needs root and nft ({@link NetnsLab#open}).
 */
final class ChaosNft implements AutoCloseable {
    /** {@code <vip> . tcp . 80 : goto lb4_tcp_2} in {@code services4}. */
    private static final Pattern FRONTEND = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+) \\. tcp \\. 80 : ");
    /** {@code <vip> . 80 . <slot> : <backend> . <port>} in {@code backends4_tcp}. */
    private static final Pattern SLOT =
            Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+) \\. 80 \\. \\d+ : (\\d+\\.\\d+\\.\\d+\\.\\d+) \\. \\d+");
    private final NetnsLab lab = NetnsLab.open("cmch");
    private final Map<Integer, String> nodes = new HashMap<>();

    /** A new datapath programming cluster {@code c}'s node (the namespace made at the first call). */
    Datapath datapath(int c) {
        String ns = nodes.computeIfAbsent(c, k -> lab.namespace("node" + k));
        NetworkNamespace netns = NetworkNamespace.named(ns);
        return new NftablesDatapath(netns, RouteProgrammer.create(RoutingOptions.none(), netns));
    }

    /**
     * What cluster {@code c}'s node's kernel load-balances for the campaign's services (one TCP port, 80), as
     * {@link ChaosMesh#usable} writes it: service name -> "cluster/backend IP" of every slot of its frontends; null
     * when the table cannot be read (not there yet).
     */
    Map<String, Set<String>> kernel(int c) {
        // One listing: the maps as one transaction left them (the frontends' and the slots' maps, among others).
        Command.Result table = NetnsLab.tryExec(nodes.get(c), "nft", "list", "table", "inet", "clustermesh");
        if (table.exitCode() != 0) {
            return null;
        }
        Map<String, Set<String>> out = new TreeMap<>();
        Map<String, Set<String>> byVip = new HashMap<>();
        Matcher f = FRONTEND.matcher(table.output());
        while (f.find()) {
            String service = ChaosModel.name(ChaosModel.serviceOfClusterIp(f.group(1)));
            byVip.put(f.group(1), out.computeIfAbsent(service, n -> new TreeSet<>()));
        }
        Matcher s = SLOT.matcher(table.output());
        while (s.find()) {
            Set<String> set = byVip.get(s.group(1));
            String ip = s.group(2);
            if (set != null) {
                set.add(Integer.parseInt(ip.split("\\.")[1]) / 10 + "/" + ip);
            }
        }
        return out;
    }

    @Override
    public void close() {
        lab.close();
    }
}
