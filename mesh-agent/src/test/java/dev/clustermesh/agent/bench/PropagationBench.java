package dev.clustermesh.agent.bench;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.agent.mesh.AgentObserver;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.remote.RemoteClusterConfig;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.testing.mesh.LocalCluster;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4's benchmark: time from a change committed in cluster2's etcd to the new map state applied in cluster1's
 * agent (through cluster2's real mesh-proxy over mTLS), next to the raw etcd put-to-watch latency of the very same
 * puts, with N services of B backends loaded in both clusters.
 *
 * <p>A third watch, a plain jetcd client watching cluster2's mesh-proxy with the agent's certificate, splits the
 * figure into the proxy hop (etcd to a proxy client) and the agent's own share (proxy event to map applied).
 *
 * <p>Usage: {@code PropagationBench [services=10000] [backends=10] [changes=1000]}; prints a markdown table and,
 * as its last line, {@code propagation ratio p50 <x> p99 <y>} (agent applied over raw etcd put-to-watch).
 */
public final class PropagationBench {

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int backends = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int changes = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Path dir = Files.createTempDirectory("propagation-bench");
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("bench-ca");
        try (LocalCluster c1 = LocalCluster.startServingOnly("cluster1", 1, dir.resolve("c1"), ca, certs);
                LocalCluster c2 = LocalCluster.startServingOnly("cluster2", 2, dir.resolve("c2"), ca, certs);
                Client etcd1 = Client.builder().endpoints(c1.etcd().endpoint()).build();
                Client etcd2 = Client.builder().endpoints(c2.etcd().endpoint()).build()) {
            long t = System.nanoTime();
            MeshLoad.load(etcd1, "cluster1", 1, services, backends);
            MeshLoad.load(etcd2, "cluster2", 2, services, backends);
            System.out.printf("loaded %d services x %d backends into each of 2 etcds in %.1f s%n", services, backends,
                    (System.nanoTime() - t) / 1e9);
            Path clusters = dir.resolve("clusters");
            c1.joinFile("cluster1", clusters);
            RemoteClusterConfig viaProxy = RemoteClusterConfig.read(c2.joinFile("cluster1", clusters));
            String ratio;
            ProbeDatapath probe = new ProbeDatapath();
            Breakdown breakdown = new Breakdown();
            try (AgentCore agent = new AgentCore(new AgentSettings(new ClusterIdentity("cluster1", 1), "bench",
                    clusters, Duration.ofSeconds(1), new RemoteClusterOptions(Duration.ZERO, Duration.ofSeconds(30),
                            Duration.ofSeconds(1)), "probe"), probe, breakdown)) {
                t = System.nanoTime();
                agent.start();
                awaitInitialSync(probe, services, backends);
                System.out.printf("agent initial sync: %.1f s%n", (System.nanoTime() - t) / 1e9);
                try (Client proxy2 = EtcdClients.builder(viaProxy.endpoints(), Optional.of(viaProxy.tls())).build()) {
                    ratio = run(etcd2, proxy2, probe, breakdown, services, backends, changes);
                }
                System.gc();
                long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
                System.out.printf("bench JVM (agent core + harness) after GC: heap used %.0f MiB, RSS %s%n",
                        heap / 1048576.0, rss());
            }
            for (String heap : new String[] {"512m", "1g"}) {
                AgentProcessRss.Memory m = AgentProcessRss.measure(clusters, (long) services * backends * 2, heap,
                        dev.clustermesh.testing.FreePorts.next(), dev.clustermesh.testing.FreePorts.next());
                System.out.printf("packaged mesh-agent process (-Xmx%s) synced with %d services x %d backends from "
                        + "each of 2 clusters: RSS %.0f MiB, heap used after a full GC %.0f MiB (RSS after it %.0f MiB)%n",
                        heap, services, backends, m.rssKib() / 1024.0, m.heapAfterGcKib() / 1024.0,
                        m.rssAfterGcKib() / 1024.0);
            }
            System.out.println(ratio);
        }
    }

    private static void awaitInitialSync(ProbeDatapath probe, int services, int backends) {
        dev.clustermesh.testing.Eventually.await(Duration.ofMinutes(10), () -> {
            if (probe.sizes()[1] < services * backends * 2L || probe.sizes()[0] < services) {
                throw new IllegalStateException("agent not synced yet: " + probe.sizes()[0] + " services, "
                        + probe.sizes()[1] + " backends");
            }
        });
    }

    /** When the agent's watcher handed the latest event to the view, and how long the latest reconcile run took. */
    private static final class Breakdown implements AgentObserver {
        volatile long eventAt;
        volatile long reconcileNanos;

        @Override
        public void event(String cluster) {
            eventAt = System.nanoTime();
        }

        @Override
        public void applied(long reconcile, long propagation) {
            reconcileNanos = reconcile;
        }
    }

    private static String run(Client etcd2, Client proxy2, ProbeDatapath probe, Breakdown breakdown, int services,
            int backends, int changes) throws Exception {
        Map<String, Long> watched = new ConcurrentHashMap<>();
        Map<String, Long> proxied = new ConcurrentHashMap<>();
        Random random = new Random(42);
        long[] agent = new long[changes];
        long[] raw = new long[changes];
        long[] hop = new long[changes];
        long[] received = new long[changes];
        long[] reconcile = new long[changes];
        int[] current = new int[services];
        Arrays.fill(current, backends);
        // Both watches start at the same revision, so neither misses a put made before its stream was set up.
        long now = etcd2.getKVClient().get(bytes(KeyLayout.SERVICES)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        WatchOption from = WatchOption.builder().isPrefix(true).withRevision(now + 1).build();
        try (Watch.Watcher w = etcd2.getWatchClient().watch(bytes(KeyLayout.SERVICES + "cluster2/"),
                from,
                r -> r.getEvents().forEach(e -> watched.put(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)
                        + "@" + e.getKeyValue().getModRevision(), System.nanoTime())));
                Watch.Watcher p = proxy2.getWatchClient().watch(bytes(KeyLayout.SERVICES + "cluster2/"),
                        from,
                        r -> r.getEvents().forEach(e -> proxied.put(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)
                                + "@" + e.getKeyValue().getModRevision(), System.nanoTime())))) {
            for (int i = 0; i < changes; i++) {
                int svc = random.nextInt(services);
                // Alternate the service between B and B-1 backends, so every put is a real change.
                int count = current[svc] == backends ? backends - 1 : backends;
                current[svc] = count;
                int expected = backends + count;
                CompletableFuture<Long> applied = probe.await(new LbFrontend(MeshLoad.clusterIp(1, svc), Protocol.TCP, 80),
                        s -> s.slots().size() == expected);
                String key = new MeshKey.Service("cluster2", "default", MeshLoad.name(svc), true).key();
                long t0 = System.nanoTime();
                long rev = etcd2.getKVClient().put(bytes(key), ByteSequence.from(
                        MeshLoad.service("cluster2", 2, svc, count).toByteArray())).get(10, TimeUnit.SECONDS)
                        .getHeader().getRevision();
                agent[i] = applied.get(30, TimeUnit.SECONDS) - t0;
                received[i] = breakdown.eventAt - t0;
                reconcile[i] = breakdown.reconcileNanos;
                raw[i] = awaitWatched(watched, key + "@" + rev, "raw etcd") - t0;
                hop[i] = awaitWatched(proxied, key + "@" + rev, "mesh-proxy") - t0;
            }
        }
        Arrays.sort(received);
        Arrays.sort(reconcile);
        System.out.printf("agent share: put -> event handed to the agent's view p50 %.2f p99 %.2f ms; reconcile run "
                + "p50 %.2f p99 %.2f ms%n", ms(received, 0.5), ms(received, 0.99), ms(reconcile, 0.5), ms(reconcile, 0.99));
        return print(agent, raw, hop, services, backends, changes);
    }

    private static long awaitWatched(Map<String, Long> watched, String key, String watch) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!watched.containsKey(key)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + watch + " watch never saw " + key);
            }
            Thread.onSpinWait();
        }
        return watched.remove(key);
    }

    private static String print(long[] agent, long[] raw, long[] hop, int services, int backends, int changes) {
        Arrays.sort(agent);
        Arrays.sort(raw);
        Arrays.sort(hop);
        System.out.printf("%n| path (%d changes, %d services x %d backends per cluster) | p50 | p99 | max |%n", changes,
                services, backends);
        System.out.println("|---|---|---|---|");
        System.out.printf("| raw etcd put -> watch event | %.2f ms | %.2f ms | %.2f ms |%n", ms(raw, 0.5), ms(raw, 0.99), ms(raw, 1));
        System.out.printf("| cluster2 etcd put -> watch event through cluster2's mesh-proxy | %.2f ms | %.2f ms | %.2f ms |%n",
                ms(hop, 0.5), ms(hop, 0.99), ms(hop, 1));
        System.out.printf("| cluster2 etcd put -> cluster1 agent map applied | %.2f ms | %.2f ms | %.2f ms |%n",
                ms(agent, 0.5), ms(agent, 0.99), ms(agent, 1));
        System.out.printf("ratio through the proxy/raw: p50 %.2fx, p99 %.2fx%n", ms(hop, 0.5) / ms(raw, 0.5),
                ms(hop, 0.99) / ms(raw, 0.99));
        return String.format("propagation ratio p50 %.2f p99 %.2f", ms(agent, 0.5) / ms(raw, 0.5),
                ms(agent, 0.99) / ms(raw, 0.99));
    }

    private static double ms(long[] sorted, double q) {
        int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static String rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .findFirst().orElse("?").replaceAll("\\s+", " ");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
