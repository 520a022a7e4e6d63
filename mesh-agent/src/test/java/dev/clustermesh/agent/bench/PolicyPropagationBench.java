package dev.clustermesh.agent.bench;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.nftables.NftPolicyDatapath;
import dev.clustermesh.agent.datapath.nftables.PolicyBench;
import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.agent.mesh.AgentObserver;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.agent.policy.PolicySettings;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.policy.MeshEndpoints;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.SyncCanary;
import dev.clustermesh.testing.mesh.LocalCluster;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.WatchOption;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Issue 13's propagation figure: a pod added to (or removed from) cluster2's etcd, with the labels of pods already
 * known, until cluster1's agent has its address in (or out of) the nftables peer sets, through cluster2's real
 * mesh-proxy over mTLS, next to the raw etcd put-to-watch latency of the same puts. Both clusters hold N pods,
 * cluster1 P policies ({@link PolicyBench}'s workload); the agent enforces in a network namespace of its own.
 * Then the packaged agent's memory, synced with all of it (its policy program computed, memory datapath).
 *
 * <p>Usage (root): {@code PolicyPropagationBench [pods=10000] [policies=1000] [changes=200]
 * [warmup=2000]}; last line
 * {@code policy propagation ratio p50 <x> p99 <y>} (agent applied over raw etcd put-to-watch).
 */
public final class PolicyPropagationBench {
    private static final Pattern POLICY_ENDPOINTS = Pattern.compile("(?m)^mesh_agent_policy_endpoints (\\S+)");
    /** When the agent's watcher last handed an event to the agent (its view and its policy book). */
    private static final Events EVENTS = new Events();
    /**
     * Changes made before the measured ones, unmeasured (by default): the agent's path then runs compiled by the JIT,
     * as in an agent that has been up for a while (a few hundred changes alone run it mostly interpreted).
     */
    private static final int WARMUP = 2_000;

    private static final class Events implements AgentObserver {
        volatile long at;

        @Override
        public void event(String cluster) {
            at = System.nanoTime();
        }
    }

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int policies = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int changes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : WARMUP;
        Path dir = Files.createTempDirectory("policy-propagation-bench");
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("bench-ca");
        String netns = "cmb13p-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", netns);
        try (LocalCluster c1 = LocalCluster.startServingOnly("cluster1", 1, dir.resolve("c1"), ca, certs);
                LocalCluster c2 = LocalCluster.startServingOnly("cluster2", 2, dir.resolve("c2"), ca, certs);
                Client etcd1 = Client.builder().endpoints(c1.etcd().endpoint()).build();
                Client etcd2 = Client.builder().endpoints(c2.etcd().endpoint()).build()) {
            MeshEndpoints mesh = PolicyBench.mesh(pods, "cluster");
            long t = System.nanoTime();
            load(etcd1, "cluster1", 1, mesh, PolicyBench.policies(policies, "cluster2"));
            load(etcd2, "cluster2", 2, mesh, List.of());
            System.out.printf("loaded %,d pods into each of 2 etcds and %,d policies into cluster1's in %.1f s%n", pods,
                    policies, (System.nanoTime() - t) / 1e9);
            Path clusters = dir.resolve("clusters");
            c1.joinFile("cluster1", clusters);
            c2.joinFile("cluster1", clusters);
            String ratio;
            TimedPolicyDatapath timed = new TimedPolicyDatapath(new NftPolicyDatapath(NetworkNamespace.named(netns)));
            try (AgentCore agent = new AgentCore(new AgentSettings(new ClusterIdentity("cluster1", 1), "bench",
                    clusters, Duration.ofSeconds(1), new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(30),
                            Duration.ofSeconds(1)), "probe"), new ProbeDatapath(), EVENTS,
                    timed,
                    new PolicySettings(PolicyOptions.DEFAULTS, Duration.ofSeconds(60)))) {
                t = System.nanoTime();
                agent.start();
                await(Duration.ofMinutes(10), () -> agent.policy().state().program().ipIdentities().size() >= 2 * pods,
                        "the agent's first policy program with every pod");
                System.out.printf("agent's first policy program (both clusters synced, compiled, applied in nft): "
                        + "%.1f s, %,d local endpoints%n", (System.nanoTime() - t) / 1e9,
                        agent.policy().state().program().endpoints().size());
                ratio = measure(etcd2, timed, mesh, pods, warmup, changes);
                System.gc();
                long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
                System.out.printf("bench JVM (agent core + harness) after GC: heap used %.0f MiB%n", heap / 1048576.0);
            }
            for (String heap : new String[] {"512m", "1g"}) {
                AgentProcessRss.Memory m = AgentProcessRss.measure(clusters, POLICY_ENDPOINTS, 2L * pods, heap,
                        dev.clustermesh.testing.FreePorts.next(), dev.clustermesh.testing.FreePorts.next());
                System.out.printf("packaged mesh-agent process (-Xmx%s, memory datapath) with its policy program over "
                        + "%,d pods and %,d policies: RSS %.0f MiB, heap used after a full GC %.0f MiB (RSS after it "
                        + "%.0f MiB)%n", heap, 2 * pods, policies, m.rssKib() / 1024.0, m.heapAfterGcKib() / 1024.0,
                        m.rssAfterGcKib() / 1024.0);
            }
            System.out.println(ratio);
        } finally {
            run("ip", "netns", "del", netns);
        }
    }

    /**
     * Adds and removes cluster2 pods of known identities, one at a time, timing the agent (until the transaction
     * that put the address in or out of its table returned) against a raw watch.
     */
    private static String measure(Client etcd2, TimedPolicyDatapath agent, MeshEndpoints mesh, int pods, int warmup,
            int changes) throws Exception {
        Map<String, Long> watched = new ConcurrentHashMap<>();
        long now = etcd2.getKVClient().get(bytes(KeyLayout.CONFIG)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        String prefix = KeyLayout.prefix(ResourceKind.ENDPOINTS, "cluster2");
        int total = warmup + changes;
        long[] agentNanos = new long[total];
        long[] raw = new long[total];
        long[] received = new long[total];
        try (Watch.Watcher w = etcd2.getWatchClient().watch(bytes(prefix),
                WatchOption.builder().isPrefix(true).withRevision(now + 1).build(),
                r -> r.getEvents().forEach(e -> watched.put(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)
                        + "@" + e.getKeyValue().getModRevision(), System.nanoTime())))) {
            for (int i = 0; i < total; i++) {
                PolicyEndpoint like = mesh.endpoints().get(pods + (i / 2 * 7919) % pods);
                InetAddress ip = InetAddress.getByAddress(new byte[] {10, 2, (byte) (200 + i / 2 / 250),
                        (byte) (i / 2 % 250 + 1)});
                String key = new MeshKey.Endpoint("cluster2", ip.getHostAddress()).key();
                boolean add = i % 2 == 0;
                java.util.concurrent.CompletableFuture<Long> applied = agent.await(ip, add);
                long t0 = System.nanoTime();
                long rev;
                if (add) {
                    rev = etcd2.getKVClient().put(bytes(key), ByteSequence.from(endpoint(like, ip, "twin-" + i)
                            .toByteArray())).get(10, TimeUnit.SECONDS).getHeader().getRevision();
                } else {
                    rev = etcd2.getKVClient().delete(bytes(key)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
                }
                agentNanos[i] = applied.get(30, TimeUnit.SECONDS) - t0;
                received[i] = EVENTS.at - t0;
                raw[i] = awaitWatched(watched, key + "@" + rev) - t0;
            }
        }
        System.out.printf("(after %,d unmeasured changes)%n", warmup);
        agentNanos = measured(agentNanos, warmup);
        raw = measured(raw, warmup);
        received = measured(received, warmup);
        System.out.printf("%n| path (%d changes: pods of known identities added and removed in turn, %,d pods per "
                + "cluster) | p50 | p99 | max |%n|---|---|---|---|%n", changes, pods);
        System.out.printf("| raw etcd put -> watch event | %.2f ms | %.2f ms | %.2f ms |%n", ms(raw, 0.5), ms(raw, 0.99),
                ms(raw, 1));
        System.out.printf("| cluster2 etcd put -> event handed to cluster1's agent (through the proxy) | %.2f ms | %.2f ms "
                + "| %.2f ms |%n", ms(received, 0.5), ms(received, 0.99), ms(received, 1));
        System.out.printf("| cluster2 etcd put -> cluster1 agent's nft peer sets applied | %.2f ms | %.2f ms | %.2f ms |%n",
                ms(agentNanos, 0.5), ms(agentNanos, 0.99), ms(agentNanos, 1));
        return String.format(java.util.Locale.ROOT, "policy propagation ratio p50 %.2f p99 %.2f",
                ms(agentNanos, 0.5) / ms(raw, 0.5), ms(agentNanos, 0.99) / ms(raw, 0.99));
    }

    /** The measured values (after the warm-up), sorted. */
    private static long[] measured(long[] all, int warmup) {
        long[] m = Arrays.copyOfRange(all, warmup, all.length);
        Arrays.sort(m);
        return m;
    }

    /** What an exporter writes: config with the pod CIDR, heartbeat, one cluster's pods, policies, canaries. */
    private static void load(Client etcd, String cluster, int id, MeshEndpoints mesh, List<Map<String, Object>> policies)
            throws Exception {
        List<Op> ops = new ArrayList<>();
        ops.add(MeshLoad.put(new MeshKey.Config(cluster).key(), ClusterConfig.newBuilder().setName(cluster).setId(id)
                .addPodCidrs("10." + id + ".0.0/16").build().toByteArray()));
        ops.add(MeshLoad.put(new MeshKey.Heartbeat(cluster).key(), Heartbeat.newBuilder()
                .setUnixMillis(System.currentTimeMillis()).build().toByteArray()));
        for (PolicyEndpoint e : mesh.endpoints()) {
            if (e.cluster().equals(cluster)) {
                ops.add(MeshLoad.put(new MeshKey.Endpoint(cluster, e.ip().getHostAddress()).key(),
                        endpoint(e, e.ip(), e.pod()).toByteArray()));
                commitFull(etcd, ops);
            }
        }
        Yaml yaml = new Yaml();
        for (Map<String, Object> p : policies) {
            @SuppressWarnings("unchecked")
            Map<String, Object> meta = (Map<String, Object>) p.get("metadata");
            ops.add(MeshLoad.put(new MeshKey.Policy(cluster, PolicyKind.NETWORK_POLICY, (String) meta.get("namespace"),
                    (String) meta.get("name")).key(), yaml.dump(p).getBytes(StandardCharsets.UTF_8)));
            commitFull(etcd, ops);
        }
        for (ResourceKind k : ResourceKind.values()) {
            ops.add(MeshLoad.put(new MeshKey.Synced(cluster, k).key(), SyncCanary.newBuilder().build().toByteArray()));
        }
        etcd.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
    }

    private static void commitFull(Client etcd, List<Op> ops) throws Exception {
        if (ops.size() >= 100) {
            etcd.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
            ops.clear();
        }
    }

    private static Endpoint endpoint(PolicyEndpoint e, InetAddress ip, String pod) {
        return Endpoint.newBuilder().setCluster(e.cluster()).setNamespace(e.namespace()).setPod(pod)
                .setIp(ip.getHostAddress()).putAllLabels(e.labels()).putAllNamespaceLabels(e.namespaceLabels())
                .setIdentity(e.identity()).build();
    }

    private static void await(Duration timeout, BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
    }

    private static long awaitWatched(Map<String, Long> watched, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!watched.containsKey(key)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the raw etcd watch never saw " + key);
            }
            Thread.onSpinWait();
        }
        return watched.remove(key);
    }

    private static double ms(long[] sorted, double q) {
        int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed");
        }
    }
}
