package dev.clustermesh.agent.chaos;

import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.testing.mesh.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Issue 14's campaign: a three-cluster mesh of real etcds, mesh-proxies, agents (memory datapath, and one nftables
 * agent per cluster in a node namespace) and mesh-dns servers under churn and random faults, checked against
 * {@link ChaosModel}'s oracle. Each epoch injects one fault for a random time while the driver keeps changing
 * manifests, heals it, stops the churn and measures how long every agent, nftables node (its kernel table) and
 * mesh-dns take to equal the oracle. Invariants, checked every quarter second on what each of them sends traffic
 * to: (1) convergence after each heal within the limit; (2) no backend (no ClusterIP answered) that its source
 * removed longer ago than the freshness limit (TTL plus heartbeat slack); (3) no service without one while a
 * cluster that is reachable, undisturbed and settled has valid ones for it; (4) all equal to the oracle at the
 * end; (5) the harness's threads and file descriptors and the proxies' watch streams back near their level after
 * the first epoch, every process alive. For (2), a backend of the viewer's own cluster counts from its removal or
 * from the end of its cluster's outage, whichever is later: the own cluster is never revoked.
 *
 * <p>Two proxy replicas per cluster. Faults ({@link ChaosFaults}): kill -9 of both replicas, of the one leading
 * the export, of an etcd (back on its data, or empty), of a mesh-dns, of an agent; partitions one way and both
 * ways; a proxy serving a certificate of another CA; a slow consumer on a proxy; a cluster re-deployed under a new
 * ID. Usage:
 * {@code ChaosCampaign [--quick] [--seed N] [--epochs N] [--faults KIND,KIND]} (only these kinds, e.g.
 * {@code slow_consumer,cert_other_ca}).
 */
public final class ChaosCampaign {
    /** How the campaign runs. */
    record Settings(long seed, int epochs, int services, int agentsPerCluster, int replicas, Duration maxFault,
            Duration churnEvery, RemoteClusterOptions options, List<Fault> kinds) {
        static Settings quick(long seed) {
            return new Settings(seed, Fault.values().length, 6, 2, 2, Duration.ofSeconds(9), Duration.ofMillis(300),
                    OPTIONS,
                    List.of(Fault.values()));
        }

        static Settings full(long seed) {
            return new Settings(seed, 4 * Fault.values().length, 10, 2, 2, Duration.ofSeconds(12),
                    Duration.ofMillis(200), OPTIONS, List.of(Fault.values()));
        }
    }

    /** TTL 8 s, stale after 3 s (the test clusters beat every 2 s), 3 s requests, backoff to 1 s. */
    static final RemoteClusterOptions OPTIONS = new RemoteClusterOptions(Duration.ofSeconds(8), Duration.ofSeconds(3),
            Duration.ofSeconds(3), Duration.ofSeconds(1));
    private static final long CHECK_NANOS = Duration.ofMillis(250).toNanos();
    private static final Duration CONVERGE_LIMIT = Duration.ofSeconds(60);

    enum Fault {
        PROXY_KILL, PROXY_LEADER_KILL, ETCD_KILL, ETCD_WIPE, PARTITION_BOTH_WAYS, PARTITION_ONE_WAY, AGENT_RESTART,
        CERT_OTHER_CA, SLOW_CONSUMER, NEW_ID, DNS_KILL
    }

    private final Settings settings;
    private final PrintStream log;
    private final Random random;
    private final ChaosModel model;
    private final Map<Fault, Integer> faults = new TreeMap<>();
    private final Map<String, Integer> violations = new TreeMap<>();
    private final List<String> examples = new ArrayList<>();
    private final List<Long> converge = new ArrayList<>();
    private final Set<String> reported = new HashSet<>();
    /** Per cluster, per path "from->to" and per service "c/k": until when it counts as disturbed (ns). */
    private final Map<String, Long> disturbedUntil = new HashMap<>();
    private int changes;
    private final List<Fault> cycle = new ArrayList<>();
    private long lastCheck;
    /** What this epoch's checks saw: freshness states other agents' clusters were in, most agents off the oracle. */
    private final Set<String> seen = new java.util.TreeSet<>();
    private int mostOff;

    ChaosCampaign(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
        this.random = new Random(settings.seed());
        this.model = new ChaosModel(3, settings.services());
        Arrays.stream(Fault.values()).forEach(f -> faults.put(f, 0));
        List.of("1-converge", "2-stale-backend", "3-blackhole", "4-final-state", "5-leak-or-crash")
                .forEach(v -> violations.put(v, 0));
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        long seed = System.nanoTime();
        Integer epochs = null;
        List<Fault> kinds = List.of(Fault.values());
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--seed")) {
                seed = Long.parseLong(args[i + 1]);
            } else if (args[i].equals("--epochs")) {
                epochs = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--faults")) {
                kinds = Arrays.stream(args[i + 1].split(",")).map(f -> Fault.valueOf(f.trim().toUpperCase(Locale.ROOT)))
                        .toList();
            }
        }
        Settings s = quick ? Settings.quick(seed) : Settings.full(seed);
        s = new Settings(s.seed(), epochs == null ? s.epochs() : epochs, s.services(), s.agentsPerCluster(),
                s.replicas(), s.maxFault(), s.churnEvery(), s.options(), kinds);
        Path dir = Files.createTempDirectory("chaos");
        ChaosReport r = new ChaosCampaign(s, System.out).run(dir);
        r.print(System.out);
        System.exit(r.violationCount() == 0 ? 0 : 1);
    }

    ChaosReport run(Path dir) throws IOException, InterruptedException {
        log.printf("seed %d (replay: --seed %d), %d epochs, faults up to %s, %d proxy replicas per cluster%n",
                settings.seed(), settings.seed(), settings.epochs(), settings.maxFault(), settings.replicas());
        try (ChaosMesh mesh = new ChaosMesh(dir, 3, settings.agentsPerCluster(), settings.replicas(),
                settings.options())) {
            long now = System.nanoTime();
            for (int c = 1; c <= 3; c++) {
                for (int k = 0; k < settings.services(); k++) {
                    model.set(c, k, new ChaosModel.Svc(true, true, "none", 1 + random.nextInt(3)), now);
                    mesh.manifest(c, ChaosModel.name(k) + ".yaml", model.manifest(c, k));
                    disturb("svc" + c + "/" + k, now); // settling, as after any change
                }
            }
            long first = awaitConvergence(mesh, Duration.ofSeconds(120));
            log.printf("initial convergence: %d ms%n", first);
            long[] baseline = null;
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                epoch(mesh, epoch);
                if (epoch == 1) {
                    baseline = resources(mesh);
                }
            }
            finalChecks(mesh, baseline);
            log.printf("changes through cluster%d's Kubernetes API server (kubectl): %d%n", mesh.clusterCount(),
                    mesh.kubeChanges());
        }
        return new ChaosReport(faults, changes, violations, converge, examples);
    }

    private void epoch(ChaosMesh mesh, int epoch) throws InterruptedException {
        if (cycle.isEmpty()) {
            // Every kind once per cycle, in an order drawn from the seed: the quick mode tries each once.
            cycle.addAll(settings.kinds());
            java.util.Collections.shuffle(cycle, random);
        }
        Fault fault = cycle.remove(0);
        int a = 1 + random.nextInt(3);
        int b = (a + random.nextInt(2)) % 3 + 1; // one of the two other clusters
        long duration = Duration.ofMillis(500 + random.nextInt((int) settings.maxFault().toMillis())).toNanos();
        faults.merge(fault, 1, Integer::sum);
        log.printf("epoch %d: %s on cluster%d%s for %d ms%n", epoch, fault, a,
                fault.name().startsWith("PARTITION") ? " / cluster" + b : "", duration / 1_000_000);
        int agentIndex = random.nextInt(settings.agentsPerCluster() + 1); // the nftables agent is the last
        seen.clear();
        mostOff = 0;
        ChaosFaults injector = new ChaosFaults(mesh, this::disturb, log);
        injector.inject(fault, a, b, agentIndex, true);
        long end = System.nanoTime() + duration;
        while (System.nanoTime() - end < 0) {
            churn(mesh);
            sleepChecking(mesh, settings.churnEvery());
        }
        log.printf("  during the fault: not fresh %s, at most %d of %d agents off the oracle%n", seen, mostOff,
                mesh.agents().values().stream().mapToInt(List::size).sum());
        injector.inject(fault, a, b, agentIndex, false);
        long healed = System.nanoTime();
        long ms = awaitConvergence(mesh, CONVERGE_LIMIT);
        if (ms < 0) {
            violation("1-converge", "epoch " + epoch + " (" + fault + "): agents differ from the oracle "
                    + CONVERGE_LIMIT.toSeconds() + " s after the heal: " + differences(mesh, true));
        } else {
            converge.add(ms);
            log.printf("  converged %d ms after the heal (%d ms after the fault began)%n", ms,
                    (System.nanoTime() - healed) / 1_000_000 + duration / 1_000_000);
        }
    }

    private void disturb(String what, long until) {
        disturbedUntil.put(what, until);
    }

    private void churn(ChaosMesh mesh) {
        int[] changed = model.randomChange(random, System.nanoTime());
        int c = changed[0];
        int k = changed[1];
        mesh.manifest(c, ChaosModel.name(k) + ".yaml", model.manifest(c, k));
        disturb("svc" + c + "/" + k, System.nanoTime());
        changes++;
    }

    private void sleepChecking(ChaosMesh mesh, Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - until < 0) {
            if (System.nanoTime() - lastCheck >= CHECK_NANOS) {
                check(mesh);
                lastCheck = System.nanoTime();
            }
            Thread.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Invariants (2) and (3) on every agent, now. */
    private void check(ChaosMesh mesh) {
        long now = System.nanoTime();
        long settle = settings.options().staleAfter().toNanos() + Duration.ofSeconds(6).toNanos();
        mostOff = Math.max(mostOff, differences(mesh, false).size());
        mesh.agents().forEach((viewer, list) -> list.forEach(a -> a.clusters().values().stream()
                .filter(s -> s.freshness() != Freshness.FRESH)
                .forEach(s -> seen.add(viewer + ":" + s.name() + "=" + s.freshness().label()))));
        mesh.agents().forEach((viewer, list) -> {
            for (int i = 0; i < list.size(); i++) {
                AgentCore agent = list.get(i);
                if (agent.programmed() && !disturbed("agent" + viewer + "-" + i, now, settle)) {
                    check("agent " + viewer + "-" + i, "balances", viewer, mesh.usable(agent), now, settle);
                }
            }
            int last = list.size() - 1;
            if (list.get(last).programmed() && !disturbed("agent" + viewer + "-" + last, now, settle)) {
                Map<String, Set<String>> kernel = mesh.nft().kernel(viewer);
                if (kernel != null) {
                    check("the nftables node of " + viewer, "balances", viewer, kernel, now, settle);
                }
            }
            if (!disturbed("dns" + viewer, now, settle)) {
                check("mesh-dns " + viewer, "answers", viewer, mesh.dns().usable(viewer, settings.services()), now,
                        settle);
            }
        });
    }

    /** Invariants (2) and (3) on what one agent (or mesh-dns) of cluster {@code viewer} sends traffic to. */
    private void check(String who, String verb, int viewer, Map<String, Set<String>> usable, long now, long settle) {
        long freshnessLimit = settings.options().ttl().toNanos() + Duration.ofSeconds(9).toNanos();
        for (Map.Entry<String, Set<String>> e : usable.entrySet()) {
            int k = Integer.parseInt(e.getKey().substring(4));
            for (String backend : e.getValue()) {
                int c = Integer.parseInt(backend.substring(0, backend.indexOf('/')));
                Long gone = model.goneAt(c, k, backend.substring(backend.indexOf('/') + 1), c == viewer);
                Long down = disturbedUntil.get("cluster" + c);
                if (gone != null && c == viewer && down != null) {
                    // The own cluster is never revoked (its services are the node's own frontends): a removal can
                    // reach its agents only once its proxies answer again.
                    gone = down == Long.MAX_VALUE ? null : Math.max(gone, down);
                }
                if (gone != null && now - gone > freshnessLimit) {
                    violation("2-stale-backend", who + " still " + verb + " " + e.getKey() + " to " + backend
                            + ", removed " + (now - gone) / 1_000_000 + " ms ago");
                }
            }
            if (e.getValue().isEmpty() && !disturbed("svc" + viewer + "/" + k, now, settle)) {
                for (int c : model.clustersWithBackends(viewer, k)) {
                    boolean reachable = !disturbed("cluster" + c, now, settle)
                            && !disturbed("cluster" + viewer, now, settle)
                            && (c == viewer || !disturbed(viewer + "->" + c, now, settle))
                            && !disturbed("svc" + c + "/" + k, now, settle);
                    if (reachable) {
                        violation("3-blackhole", who + " has no usable backend for " + e.getKey() + " while cluster"
                                + c + " has some");
                        break;
                    }
                }
            }
        }
    }

    private boolean disturbed(String what, long now, long settle) {
        Long until = disturbedUntil.get(what);
        return until != null && (until == Long.MAX_VALUE || now - until < settle);
    }

    /**
     * Milliseconds until every agent and every mesh-dns equal the oracle, or -1 past the limit; checks invariants
     * meanwhile.
     */
    private long awaitConvergence(ChaosMesh mesh, Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < limit.toNanos()) {
            if (differences(mesh, true).isEmpty()) {
                mesh.agents().forEach((viewer, list) -> list.forEach(a -> a.clusters().values().stream()
                        .filter(s -> s.freshness() != Freshness.FRESH)
                        .forEach(s -> log.printf("  note: equal to the oracle while agent of cluster%d sees %s %s: "
                                + "%s%n", viewer, s.name(), s.freshness().label(), mesh.usable(a)))));
                return (System.nanoTime() - start) / 1_000_000;
            }
            sleepChecking(mesh, Duration.ofMillis(20));
        }
        return -1;
    }

    /**
     * Every agent whose usable backends differ from the oracle, with the first difference; with {@code dns}, when
     * every agent equals it, every mesh-dns whose answers differ.
     */
    private List<String> differences(ChaosMesh mesh, boolean dns) {
        List<String> out = new ArrayList<>();
        mesh.agents().forEach((viewer, list) -> {
            Map<String, Set<String>> expected = model.expected(viewer);
            for (int i = 0; i < list.size(); i++) {
                Map<String, Set<String>> actual = mesh.usable(list.get(i));
                if (!actual.equals(expected)) {
                    String first = expected.keySet().stream().filter(n -> !expected.get(n).equals(actual.get(n)))
                            .findFirst().map(n -> n + " expected " + expected.get(n) + " has " + actual.get(n))
                            .orElse("extra " + actual.keySet());
                    out.add("agent " + viewer + "-" + i + ": " + first);
                }
            }
        });
        if (dns && out.isEmpty()) {
            for (int c = 1; c <= mesh.clusterCount(); c++) {
                Map<String, Set<String>> expected = model.expected(c);
                Map<String, Set<String>> kernel = mesh.nft().kernel(c);
                if (!expected.equals(kernel)) {
                    out.add("the nftables node of cluster" + c + ": kernel " + kernel + ", expected " + expected);
                }
            }
        }
        if (dns && out.isEmpty()) {
            for (int c = 1; c <= mesh.clusterCount(); c++) {
                int viewer = c;
                Map<String, String> expected = model.expectedDns(viewer);
                Map<String, String> actual = mesh.dns().answers(viewer, expected.keySet());
                expected.keySet().stream().filter(n -> !expected.get(n).equals(actual.get(n))).findFirst()
                        .ifPresent(n -> out.add("mesh-dns " + viewer + ": " + n + " expected " + expected.get(n)
                                + " answers " + actual.get(n)));
            }
        }
        return out;
    }

    private void finalChecks(ChaosMesh mesh, long[] baseline) throws InterruptedException {
        if (awaitConvergence(mesh, CONVERGE_LIMIT) < 0) {
            violation("4-final-state", "at the end: " + differences(mesh, true));
        }
        for (int c = 1; c <= 3; c++) {
            if (!mesh.cluster(c).proxies().stream().allMatch(ServiceProcess::isAlive)
                    || !mesh.cluster(c).etcd().isRunning() || !mesh.dns().server(c).isAlive()) {
                violation("5-leak-or-crash", "cluster" + c + ": a process is not running at the end");
            }
        }
        long[] end = resources(mesh);
        if (baseline != null) {
            log.printf("threads %d -> %d, file descriptors %d -> %d, proxies' watch streams %d -> %d (after epoch 1 "
                    + "-> end)%n", baseline[0], end[0], baseline[1], end[1], baseline[2], end[2]);
            if (end[0] > baseline[0] * 1.2 + 20) {
                violation("5-leak-or-crash", "threads grew from " + baseline[0] + " to " + end[0]);
            }
            if (end[1] > baseline[1] * 1.2 + 40) {
                violation("5-leak-or-crash", "file descriptors grew from " + baseline[1] + " to " + end[1]);
            }
            if (end[2] > baseline[2] * 1.1 + 10) {
                violation("5-leak-or-crash", "the proxies' watch streams grew from " + baseline[2] + " to " + end[2]);
            }
        }
    }

    /** Live threads and open file descriptors of this JVM (the agents run in it), and every proxy's watch streams. */
    private static long[] resources(ChaosMesh mesh) {
        String[] fds = Path.of("/proc/self/fd").toFile().list();
        double watches = 0;
        for (int c = 1; c <= mesh.clusterCount(); c++) {
            for (ServiceProcess p : mesh.cluster(c).proxies()) {
                double w = p.metric("mesh_proxy_watch_streams");
                watches += Double.isNaN(w) ? 0 : w;
            }
        }
        return new long[] {Thread.activeCount(), fds == null ? -1 : fds.length, (long) watches};
    }

    private void violation(String invariant, String detail) {
        // Counted once per distinct finding, not once per check that sees it again.
        String key = invariant + "|" + detail.replaceAll("\\d+ ms", "");
        if (reported.add(key)) {
            violations.merge(invariant, 1, Integer::sum);
            if (examples.size() < 20) {
                examples.add(invariant + ": " + detail);
            }
            log.println("  VIOLATION " + invariant + ": " + detail);
        }
    }
}
