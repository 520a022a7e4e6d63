package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.DatapathChange;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.datapath.routes.RoutingOptions;
import dev.clustermesh.agent.loadbalancer.LbBackend;
import dev.clustermesh.agent.loadbalancer.LbChange;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbIds;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.loadbalancer.LbService;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Benchmark of the nftables datapath (issue 5), as root, in two network namespaces of its own:
 * <ol>
 * <li>full apply of N services x B backends ({@link NftablesDatapath#apply} with a full sync: render + one
 * {@code nft -f -}) against raw {@code nft -f FILE} of the same ruleset text, alternating, into an empty table;
 * <li>one-service changes (one backend of one service replaced, as the reconciler passes them, with the change
 * hint) with 1,000 and with N services loaded; next to them a fresh {@code nft -f -} process applying the same
 * statements, for scale;
 * <li>an agent restart over a loaded table: a new datapath's first sync with the same maps and with 1 % of the
 * services changed, and a full sync of a running datapath (which replaces the table).
 * </ol>
 * Usage: {@code NftablesBench [services=10000] [backends=10] [fullRuns=5] [changes=300]}; see bench/datapath.sh.
 */
public final class NftablesBench {
    private static final String PREFIX = "cmb5";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private NftablesBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int backends = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int fullRuns = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int changes = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        removeLeftovers();
        String raw = PREFIX + "-" + ProcessHandle.current().pid() + "-raw";
        String agent = PREFIX + "-" + ProcessHandle.current().pid() + "-agent";
        try {
            host("ip", "netns", "add", raw);
            host("ip", "netns", "add", agent);
            fullApply(raw, agent, services, backends, fullRuns);
            restart(agent, services, backends, fullRuns);
            for (int n : new TreeSet<>(List.of(Math.min(1_000, services), services))) {
                oneChange(agent, n, backends, changes);
            }
        } finally {
            host("ip", "netns", "del", raw);
            host("ip", "netns", "del", agent);
        }
    }

    private static void fullApply(String rawNs, String agentNs, int services, int backends, int runs) throws Exception {
        LbMaps lb = maps(services, backends);
        DatapathState state = new DatapathState(lb, new TreeSet<>());
        String text = NftRender.fullSync(NftablesDatapath.frontends(lb));
        Path file = Files.createTempFile("nft-bench-", ".nft");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        NetworkNamespace raw = NetworkNamespace.named(rawNs);
        NetworkNamespace agent = NetworkNamespace.named(agentNs);
        System.out.printf(Locale.ROOT, "full apply: %,d services x %d backends, ruleset %,d bytes, %,d map elements%n",
                services, backends, text.length(), services * (backends + 1L));
        try (NftablesDatapath warmup = new NftablesDatapath(agent, none(agent))) {
            warmup.apply(state, true);
        }
        long[] rawNanos = new long[runs];
        long[] ourNanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            raw.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
            agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
            long t0 = System.nanoTime();
            raw.run(List.of("nft", "-f", file.toString()), "", TIMEOUT);
            rawNanos[i] = System.nanoTime() - t0;
            try (NftablesDatapath d = new NftablesDatapath(agent, none(agent))) {
                long t1 = System.nanoTime();
                d.apply(state, true);
                ourNanos[i] = System.nanoTime() - t1;
            }
            System.out.printf(Locale.ROOT, "  run %d: raw nft -f %.0f ms, NftablesDatapath full apply %.0f ms%n", i + 1,
                    rawNanos[i] / 1e6, ourNanos[i] / 1e6);
        }
        double render = renderMedianNanos(lb, runs);
        long t2 = System.nanoTime();
        try (NftablesDatapath d = new NftablesDatapath(agent, none(agent))) {
            d.apply(state, true);
        }
        long rebuild = System.nanoTime() - t2;
        Files.delete(file);
        double r = median(rawNanos) / 1e6;
        double o = median(ourNanos) / 1e6;
        System.out.printf(Locale.ROOT, "RESULT full-apply services=%d raw_median_ms=%.0f ours_median_ms=%.0f ratio=%.2f"
                + " render_median_ms=%.0f rebuild_over_loaded_table_ms=%.0f%n", services, r, o, o / r,
                render / 1e6, rebuild / 1e6);
        agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
    }

    /**
     * An agent restart over a loaded table: a new datapath's construction and first sync (what the reconciler does
     * on start) with the same maps, and with 1 % of the services changed meanwhile; then a full sync on the same
     * datapath (what a retry after a failure does), which replaces the table.
     */
    private static void restart(String agentNs, int services, int backends, int runs) {
        NetworkNamespace agent = NetworkNamespace.named(agentNs);
        LbMaps lb = maps(services, backends);
        DatapathState state = new DatapathState(lb, new TreeSet<>());
        DatapathState changed = new DatapathState(changeOnePercent(lb), new TreeSet<>());
        long[] same = new long[runs];
        long[] onePercent = new long[runs];
        long[] replace = new long[runs];
        for (int i = 0; i < runs; i++) {
            agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
            try (NftablesDatapath d = new NftablesDatapath(agent, none(agent))) {
                d.apply(state, true);
            }
            // From construction on: a new agent's datapath checks nft in the namespace before its first sync.
            long t0 = System.nanoTime();
            try (NftablesDatapath d = new NftablesDatapath(agent, none(agent))) {
                d.apply(state, true);
                same[i] = System.nanoTime() - t0;
            }
            long t2 = System.nanoTime();
            try (NftablesDatapath d = new NftablesDatapath(agent, none(agent))) {
                d.apply(changed, true);
                onePercent[i] = System.nanoTime() - t2;
                long t1 = System.nanoTime();
                d.apply(state, true);
                replace[i] = System.nanoTime() - t1;
            }
            String kernel = agent.run(List.of("nft", "list", "map", "inet", NftRender.TABLE, "services4"), "", TIMEOUT);
            System.out.printf(Locale.ROOT, "  run %d: restart, same maps %.0f ms; restart, 1%% changed %.0f ms;"
                    + " full sync on the running datapath %.0f ms (services4 holds %,d elements)%n", i + 1,
                    same[i] / 1e6, onePercent[i] / 1e6, replace[i] / 1e6, kernel.split(" : goto ").length - 1);
        }
        System.out.printf(Locale.ROOT, "RESULT restart services=%d same_maps_median_ms=%.0f one_percent_changed_median_ms=%.0f"
                + " full_sync_replace_median_ms=%.0f%n", services, median(same) / 1e6, median(onePercent) / 1e6,
                median(replace) / 1e6);
        agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
    }

    /** {@code lb} with slot 0's backend of every 100th service replaced by a new backend. */
    private static LbMaps changeOnePercent(LbMaps lb) {
        TreeMap<LbFrontend, LbService> live = new TreeMap<>(lb.services());
        TreeMap<Integer, LbBackend> liveBackends = new TreeMap<>(lb.backends());
        List<LbFrontend> frontends = new ArrayList<>(live.keySet());
        int next = liveBackends.lastKey() + 1;
        for (int i = 0; i < frontends.size(); i += 100) {
            replaceOneBackend(live, liveBackends, frontends.get(i), next++, i / 100);
        }
        return new LbMaps(live, liveBackends, LbIds.EMPTY);
    }

    /** Rendering alone: LB maps to the bytes piped into nft. */
    private static double renderMedianNanos(LbMaps lb, int runs) {
        long[] render = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            NftRender.fullSync(NftablesDatapath.frontends(lb)).getBytes(StandardCharsets.UTF_8);
            render[i] = System.nanoTime() - t;
        }
        return median(render);
    }

    private static void oneChange(String ns, int services, int backends, int changes) throws Exception {
        NetworkNamespace agent = NetworkNamespace.named(ns);
        agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
        LbMaps lb = maps(services, backends);
        TreeMap<LbFrontend, LbService> live = new TreeMap<>(lb.services());
        TreeMap<Integer, LbBackend> liveBackends = new TreeMap<>(lb.backends());
        LbMaps view = new LbMaps(live, liveBackends, LbIds.EMPTY);
        List<LbFrontend> frontends = new ArrayList<>(live.keySet());
        long[] ours = new long[changes];
        long[] freshProcess = new long[Math.min(changes, 50)];
        try (NftablesDatapath d = new NftablesDatapath(agent, none(agent))) {
            d.apply(new DatapathState(view, new TreeSet<>()), true);
            int nextBackend = liveBackends.lastKey() + 1;
            for (int i = 0; i < changes; i++) {
                LbFrontend f = frontends.get((i * 7919) % frontends.size());
                LbChange change = replaceOneBackend(live, liveBackends, f, nextBackend++, i);
                long t0 = System.nanoTime();
                d.apply(new DatapathState(view, new TreeSet<>()), new DatapathChange(change, false), false);
                ours[i] = System.nanoTime() - t0;
            }
            String delta = d.lastTransaction();
            for (int i = 0; i < freshProcess.length; i++) {
                long t0 = System.nanoTime();
                // The last delta again (delete and re-add the same element) through a fresh process, for scale.
                agent.run(List.of("nft", "-f", "-"), delta + "\n", TIMEOUT);
                freshProcess[i] = System.nanoTime() - t0;
            }
            System.out.printf(Locale.ROOT, "one-service change with %,d services loaded (%d changes), last: %s%n",
                    services, changes, delta.replace('\n', ' '));
        }
        // The first change right after the full sync waits for the nft -i process that sync started.
        long first = ours[0];
        long[] rest = Arrays.copyOfRange(ours, 1, changes);
        Arrays.sort(rest);
        int n = rest.length;
        System.out.printf(Locale.ROOT, "RESULT one-change services=%d first_ms=%.2f then median_ms=%.2f p90_ms=%.2f"
                + " p99_ms=%.2f max_ms=%.2f fresh_nft_process_median_ms=%.2f%n", services, first / 1e6,
                rest[n / 2] / 1e6, rest[n * 9 / 10] / 1e6, rest[Math.min(n - 1, n * 99 / 100)] / 1e6, rest[n - 1] / 1e6,
                median(freshProcess) / 1e6);
    }

    /** Replaces slot 0's backend of {@code f} with a new one, as one global-service update would. */
    private static LbChange replaceOneBackend(TreeMap<LbFrontend, LbService> live, TreeMap<Integer, LbBackend> backends,
            LbFrontend f, int newId, int i) {
        LbService s = live.get(f);
        List<LbService.Slot> slots = new ArrayList<>(s.slots());
        int old = slots.get(0).backendId();
        LbBackend was = backends.remove(old);
        backends.put(newId, new LbBackend(newId, "10.200." + ((i / 250) % 250) + "." + (i % 250 + 1), Protocol.TCP,
                8080, was.cluster(), was.clusterId(), BackendState.BACKEND_STATE_ACTIVE));
        slots.set(0, new LbService.Slot(newId, false, true));
        live.put(f, new LbService(s.id(), f, s.name(), s.affinity(), slots, false));
        Set<LbFrontend> fs = new HashSet<>(List.of(f));
        return new LbChange(fs, new HashSet<>(List.of(old, newId)));
    }

    /** N services 10.96.x.y:80/TCP, each with B active backends 10.(128+).x.y:8080. */
    static LbMaps maps(int services, int backends) {
        TreeMap<LbFrontend, LbService> svc = new TreeMap<>();
        TreeMap<Integer, LbBackend> be = new TreeMap<>();
        int id = 1;
        for (int s = 0; s < services; s++) {
            LbFrontend f = new LbFrontend("10.96." + (s / 250) + "." + (s % 250 + 1), Protocol.TCP, 80);
            List<LbService.Slot> slots = new ArrayList<>();
            for (int b = 0; b < backends; b++, id++) {
                be.put(id, new LbBackend(id, "10." + (128 + id / 62_500) + "." + (id / 250 % 250) + "." + (id % 250 + 1),
                        Protocol.TCP, 8080, "cluster" + (1 + b % 2), 1 + b % 2, BackendState.BACKEND_STATE_ACTIVE));
                slots.add(new LbService.Slot(id, false, true));
            }
            svc.put(f, new LbService(s + 1, f, new ServiceName("bench", "svc-" + s), Affinity.AFFINITY_NONE, slots,
                    false));
        }
        return new LbMaps(svc, be, LbIds.EMPTY);
    }

    private static RouteProgrammer none(NetworkNamespace ns) {
        return RouteProgrammer.create(RoutingOptions.none(), ns);
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    private static void host(String... argv) {
        NetworkNamespace.host().run(List.of(argv), "", TIMEOUT);
    }

    private static void removeLeftovers() {
        String list = NetworkNamespace.host().run(List.of("ip", "netns", "list"), "", TIMEOUT);
        for (String line : list.split("\n")) {
            String[] parts = line.split(" ")[0].split("-", 3);
            if (parts.length == 3 && parts[0].equals(PREFIX) && parts[1].matches("\\d+")
                    && ProcessHandle.of(Long.parseLong(parts[1])).isEmpty()) {
                host("ip", "netns", "del", line.split(" ")[0]);
            }
        }
    }
}
