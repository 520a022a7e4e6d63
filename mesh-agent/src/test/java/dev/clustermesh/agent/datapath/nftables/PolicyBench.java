package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.policy.PolicyBook;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.core.policy.Identities;
import dev.clustermesh.core.policy.MeshEndpoints;
import dev.clustermesh.core.policy.PolicyCompiler;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.PolicySet;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark of network policy (issue 13), as root, in network namespaces of its own: {@code P} policies in
 * cluster c1 over two clusters of {@code N} pods each.
 * <ol>
 * <li>full apply: compile the program and apply it with the agent's {@code NftPolicyDatapath} (render, and the
 * table in one {@code nft -f -}: what an agent's first sync does) against raw {@code nft -f FILE} of the same
 * ruleset text, alternating, each into an empty ruleset of its own namespace; the first runs warm up (see
 * {@link #WARMUP_RUNS});
 * <li>one remote pod added or removed (same labels as an existing one, so an existing identity) through the
 * agent's {@code PolicyBook} and {@code NftPolicyDatapath}: from the endpoint event to its nft transaction applied,
 * with N and with N/10 pods per cluster, to show whether it depends on the total.
 * </ol>
 * Workload: namespace {@code ns-k} (100 per cluster) with label {@code team=t-(k%10)}; pod {@code i} labelled
 * {@code app=app-(i%50)}; policy {@code j} in {@code ns-(j%100)} selects {@code app=app-(j%50)} and allows ingress
 * from {@code app=app-((j+1)%50)} of its own cluster (default-local) and of c2 (cluster label) on TCP 8000+j%10,
 * every fifth one also egress to namespaces {@code team=t-(j%10)}. Usage: {@code PolicyBench [pods=10000]
 * [policies=1000] [runs=3] [changes=50]} ({@code runs} measured after {@link #WARMUP_RUNS}); see bench/policy.sh.
 */
public final class PolicyBench {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final String PREFIX = "cmb13";
    /**
     * Full applies before the measured ones, timed and printed but not in the medians: the agent applies the whole
     * program at start (cold, the first of these, reported apart) and compiles it again at every policy change, by
     * then with its code compiled by the JIT; the medians are that steady state.
     */
    private static final int WARMUP_RUNS = 10;

    private PolicyBench() {
    }

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int policies = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int changes = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        String raw = PREFIX + "-" + ProcessHandle.current().pid() + "-raw";
        String agent = PREFIX + "-" + ProcessHandle.current().pid() + "-agent";
        run("ip", "netns", "add", raw);
        run("ip", "netns", "add", agent);
        try {
            PolicySet set = PolicySet.parse("c1", policies(policies));
            fullApply(set, mesh(pods), NetworkNamespace.named(raw), NetworkNamespace.named(agent), runs);
            String small = "";
            for (int n : new int[] {Math.max(100, pods / 10), pods}) {
                small = small + oneRemotePod(policies(policies), n, NetworkNamespace.named(agent), changes) + " ";
            }
            System.out.println(small.trim());
        } finally {
            run("ip", "netns", "del", raw);
            run("ip", "netns", "del", agent);
        }
    }

    private static void fullApply(PolicySet set, MeshEndpoints mesh, NetworkNamespace raw, NetworkNamespace agent,
            int runs) throws Exception {
        int total = WARMUP_RUNS + runs;
        long[] rawNanos = new long[total];
        long[][] ours = new long[total][];
        Path file = null;
        for (int i = 0; i < total; i++) {
            raw.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
            agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
            if (file != null) {
                rawNanos[i] = rawApply(raw, file);
            }
            ours[i] = ourApply(set, mesh, agent);
            if (file == null) {
                // The first apply ran cold: the raw text, which takes a compile and a render too, is written after it.
                file = rawText(set, mesh);
                rawNanos[i] = rawApply(raw, file);
            }
            System.out.printf(Locale.ROOT, "  %s %d: raw nft -f %.0f ms, compile + apply %.0f ms (compile %.0f ms)%n",
                    i < WARMUP_RUNS ? "warm-up" : "run", i < WARMUP_RUNS ? i + 1 : i - WARMUP_RUNS + 1,
                    rawNanos[i] / 1e6, ours[i][0] / 1e6, ours[i][1] / 1e6);
        }
        Files.delete(file);
        System.out.printf(Locale.ROOT, "RESULT policy-full-apply-first pods=%d raw_ms=%.0f ours_ms=%.0f ratio=%.2f%n",
                mesh.endpoints().size() / 2, rawNanos[0] / 1e6, ours[0][0] / 1e6, (double) ours[0][0] / rawNanos[0]);
        double r = median(Arrays.copyOfRange(rawNanos, WARMUP_RUNS, total)) / 1e6;
        double o = median(Arrays.stream(ours, WARMUP_RUNS, total).mapToLong(x -> x[0]).toArray()) / 1e6;
        System.out.printf(Locale.ROOT, "RESULT policy-full-apply pods=%d policies=%d raw_median_ms=%.0f "
                + "ours_median_ms=%.0f ratio=%.2f compile_median_ms=%.0f%n", mesh.endpoints().size() / 2,
                set.applied().size(), r, o, o / r,
                median(Arrays.stream(ours, WARMUP_RUNS, total).mapToLong(x -> x[1]).toArray()) / 1e6);
        agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
    }

    /** Compile, then the agent's datapath applies the program in full: {total, compile} nanoseconds. */
    private static long[] ourApply(PolicySet set, MeshEndpoints mesh, NetworkNamespace agent) {
        try (NftPolicyDatapath datapath = new NftPolicyDatapath(agent)) {
            long t0 = System.nanoTime();
            PolicyProgram p = PolicyCompiler.compile(set, mesh, PolicyOptions.DEFAULTS);
            long compiled = System.nanoTime() - t0;
            datapath.apply(p, true);
            return new long[] {System.nanoTime() - t0, compiled};
        }
    }

    private static long rawApply(NetworkNamespace raw, Path file) {
        long t0 = System.nanoTime();
        raw.run(List.of("nft", "-f", file.toString()), "", TIMEOUT);
        return System.nanoTime() - t0;
    }

    /** The ruleset text the agent's full apply writes, in a file for raw {@code nft -f}. */
    private static Path rawText(PolicySet set, MeshEndpoints mesh) throws Exception {
        PolicyProgram program = PolicyCompiler.compile(set, mesh, PolicyOptions.DEFAULTS);
        NftTransaction tx = NftPolicyDiff.full(NftPolicy.render(program));
        NftText text = NftText.whole();
        NftBlock.file(tx, text);
        Path file = Files.createTempFile("policy-bench-", ".nft");
        Files.writeString(file, text.text(), StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "full apply: %d policies, %,d pods per cluster, %,d local endpoints programmed, "
                + "ruleset %,d bytes, %,d operations%n", set.applied().size(), mesh.endpoints().size() / 2,
                program.endpoints().size(), text.text().length(), tx.size());
        return file;
    }

    /**
     * One remote pod added or removed at a time, each with an existing identity, through the agent's policy book and
     * nftables datapath: from the endpoint event to the nft transaction applied (the book's worker picks it up).
     */
    private static String oneRemotePod(List<Map<String, Object>> policies, int pods, NetworkNamespace agent,
            int changes) throws Exception {
        MeshEndpoints mesh = mesh(pods);
        agent.run(List.of("nft", "flush", "ruleset"), "", TIMEOUT);
        long[] took = new long[changes];
        long[] nft = new long[changes];
        NftPolicyDatapath datapath = new NftPolicyDatapath(agent);
        try (PolicyBook book = new PolicyBook("c1", PolicyOptions.DEFAULTS, datapath, () -> true, Duration.ZERO)) {
            for (int c = 1; c <= 2; c++) {
                book.configChanged("c" + c, ClusterConfig.newBuilder().setName("c" + c).setId(c)
                        .addPodCidrs("10." + c + ".0.0/16").build());
            }
            org.yaml.snakeyaml.Yaml yaml = new org.yaml.snakeyaml.Yaml();
            for (Map<String, Object> p : policies) {
                @SuppressWarnings("unchecked")
                Map<String, Object> meta = (Map<String, Object>) p.get("metadata");
                book.policyChanged("c1", new MeshKey.Policy("c1", PolicyKind.NETWORK_POLICY,
                        (String) meta.get("namespace"), (String) meta.get("name")), yaml.dump(p));
            }
            List<PolicyEndpoint> endpoints = mesh.endpoints();
            endpoints.forEach(e -> book.endpointChanged(e.cluster(), e.ip().getHostAddress(), endpoint(e)));
            book.start();
            long version = await(book, 0, Duration.ofMinutes(5));
            for (int i = 0; i < changes; i++) {
                PolicyEndpoint like = endpoints.get(pods + (i / 2 * 7919) % pods);
                String twin = ip(2, pods + 1 + i / 2).getHostAddress();
                long t0 = System.nanoTime();
                if (i % 2 == 0) {
                    book.endpointChanged("c2", twin, endpoint(like).toBuilder().setIp(twin)
                            .setPod(like.pod() + "-twin").build());
                } else {
                    book.endpointChanged("c2", twin, null);
                }
                version = await(book, version + 1, Duration.ofSeconds(30));
                took[i] = System.nanoTime() - t0;
                nft[i] = book.state().applyNanos();
            }
        }
        Arrays.sort(took);
        String line = String.format(Locale.ROOT, "RESULT policy-one-remote-pod pods=%d policies=%d median_ms=%.2f "
                + "p99_ms=%.2f max_ms=%.2f datapath_median_ms=%.2f", pods, policies.size(), took[changes / 2] / 1e6,
                took[Math.min(changes - 1, changes * 99 / 100)] / 1e6, took[changes - 1] / 1e6, median(nft) / 1e6);
        System.out.println(line);
        return String.format(Locale.ROOT, "one-pod pods=%d median_ms=%.2f", pods, took[changes / 2] / 1e6);
    }

    /** Waits until the book applied input version {@code atLeast} (the first program when 0), polling. */
    private static long await(PolicyBook book, long atLeast, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PolicyBook.State s = book.state();
            if (s.version() >= Math.max(atLeast, 0) && (atLeast > 0 || s.version() > 0)) {
                return s.version();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("policy not applied within " + timeout + ": " + s.lastFailure());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
    }

    private static Endpoint endpoint(PolicyEndpoint e) {
        return Endpoint.newBuilder().setCluster(e.cluster()).setNamespace(e.namespace()).setPod(e.pod())
                .setIp(e.ip().getHostAddress()).putAllLabels(e.labels()).putAllNamespaceLabels(e.namespaceLabels())
                .setIdentity(e.identity()).build();
    }

    static MeshEndpoints mesh(int pods) {
        return mesh(pods, "c");
    }

    /** Two clusters {@code <prefix>1} and {@code <prefix>2} of {@code pods} pods each (the workload above). */
    public static MeshEndpoints mesh(int pods, String prefix) {
        List<PolicyEndpoint> out = new ArrayList<>();
        for (int c = 1; c <= 2; c++) {
            Map<String, Integer> identities = new HashMap<>();
            for (int i = 0; i < pods; i++) {
                String ns = "ns-" + (i % 100);
                Map<String, String> labels = Map.of("app", "app-" + (i % 50));
                Map<String, String> nsLabels = Map.of("team", "t-" + (i % 100 % 10),
                        "kubernetes.io/metadata.name", ns);
                int local = identities.computeIfAbsent(ns + "/" + labels, k -> Identities.FIRST_LOCAL + identities.size());
                out.add(new PolicyEndpoint(prefix + c, ns, "pod-" + i, ip(c, i), labels, nsLabels, Map.of(),
                        Identities.of(c, local)));
            }
        }
        return new MeshEndpoints(out, List.of(Cidr.parse("10.1.0.0/16").orElseThrow(),
                Cidr.parse("10.2.0.0/16").orElseThrow()));
    }

    static List<Map<String, Object>> policies(int n) {
        return policies(n, "c2");
    }

    /** {@code n} NetworkPolicies of the workload above, whose remote peers are pods of {@code remote}. */
    public static List<Map<String, Object>> policies(int n, String remote) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            Map<String, Object> from = Map.of("podSelector", Map.of("matchLabels", Map.of("app", "app-" + ((j + 1) % 50))));
            Map<String, Object> fromRemote = Map.of("podSelector", Map.of("matchLabels", Map.of("app",
                    "app-" + ((j + 1) % 50), "io.cilium.k8s.policy.cluster", remote)));
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("podSelector", Map.of("matchLabels", Map.of("app", "app-" + (j % 50))));
            spec.put("ingress", List.of(Map.of("from", List.of(from, fromRemote),
                    "ports", List.of(Map.of("protocol", "TCP", "port", 8000 + j % 10)))));
            if (j % 5 == 0) {
                spec.put("egress", List.of(Map.of("to", List.of(Map.of("namespaceSelector",
                        Map.of("matchLabels", Map.of("team", "t-" + (j % 10))))))));
                spec.put("policyTypes", List.of("Ingress", "Egress"));
            }
            out.add(Map.of("apiVersion", "networking.k8s.io/v1", "kind", "NetworkPolicy",
                    "metadata", Map.of("name", "p-" + j, "namespace", "ns-" + (j % 100)), "spec", spec));
        }
        return out;
    }

    private static InetAddress ip(int cluster, int i) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) cluster, (byte) (i >> 8), (byte) i});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed");
        }
    }
}
