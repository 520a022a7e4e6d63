package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.pki.KeyedCertificate;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Brings the local two-cluster demo up and down. Each cluster gets a real etcd, a mesh-proxy exporting the
 * cluster's manifest directory into it and serving it over mTLS, a mesh-agent joined to both proxies, and a
 * mesh-dns; all certificates come from one CA made for the demo.
 */
public final class DemoRunner {
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private final DemoState state;
    private final PrintStream out;
    private final DemoLaunch launch;

    public DemoRunner(DemoState state, PrintStream out) {
        this.state = state;
        this.out = out;
        this.launch = new DemoLaunch(state);
    }

    /** The datapath that programs nothing: the agent keeps its LB maps in memory. */
    static final String MEMORY = "memory";
    /** The root demo's datapath: nftables in network namespaces, with real pods. */
    static final String NFTABLES = "nftables";

    /** Options of {@code up}; {@code datapath} is {@link #MEMORY} or {@link #NFTABLES}. */
    record UpOptions(int clusters, int portBase, int dnsPort, String datapath, String runtime) {
        UpOptions {
            if (clusters < 2 || clusters > 3) {
                throw new IllegalArgumentException("--clusters must be 2 or 3, got " + clusters);
            }
        }
    }

    /**
     * The datapath {@code --datapath} asks for: {@code auto} is nftables when this machine can run it (root,
     * {@code ip}, {@code nft}), else memory.
     *
     * @throws IllegalArgumentException for an unknown value, or nftables on a machine that cannot run it
     */
    static String datapath(String option) {
        java.util.Optional<String> why = DemoNetwork.unsupported();
        switch (option) {
            case "auto":
                return why.isPresent() ? MEMORY : NFTABLES;
            case MEMORY:
                return MEMORY;
            case NFTABLES:
                if (why.isPresent()) {
                    throw new IllegalArgumentException("--datapath nftables cannot run here: " + why.get()
                            + "; use --datapath memory");
                }
                return NFTABLES;
            default:
                throw new IllegalArgumentException("--datapath must be auto, memory or nftables, got '" + option + "'");
        }
    }

    /** Removes {@code role}'s container of {@code c} when a stop left it (podman runtime; nothing otherwise). */
    void removeContainer(DemoState.Cluster c, String role) {
        launch.removeContainer(c, role);
    }

    boolean nftables() {
        return NFTABLES.equals(state.datapath());
    }

    Path pki() {
        return state.dir().resolve("pki");
    }

    /** Starts everything; on failure stops what it started and keeps the logs. */
    void up(UpOptions options) {
        if (DemoLaunch.PROCESS.equals(options.runtime())) {
            Processes.binary("etcd", "etcd-server");
            DemoLaunch.IMAGES.keySet().stream().filter(r -> !r.equals("etcd")).forEach(Install::jar);
        }
        Processes.binary("setsid", "util-linux");
        if (NFTABLES.equals(options.datapath())) {
            Processes.binary("curl", "curl");
            Install.meshctlClasses();
        }
        state.datapath(options.datapath());
        state.runtime(options.runtime());
        for (int i = 1; i <= options.clusters(); i++) {
            DemoState.Cluster c = state.add(DemoLayout.clusterName(i), i);
            c.ports.putAll(DemoLayout.ports(i, options.portBase(), options.dnsPort()));
            c.replicas.put(DemoLayout.SERVICE, 2);
            c.replicas.put(DemoLayout.CLIENT, 1);
        }
        state.save();
        try {
            KeyedCertificate ca = MeshPki.createCa(pki(), "ClusterMesh/J demo CA", Duration.ofDays(365), true);
            Map<String, MeshPki.ClusterCertificates> certs = new LinkedHashMap<>();
            for (DemoState.Cluster c : state.clusters().values()) {
                MeshPki.ClusterCertificates cc = MeshPki.issue(ca, c.name(), List.of("localhost"),
                        List.of("127.0.0.1"), Duration.ofDays(365));
                MeshPki.write(cc, pki().resolve(c.name()));
                certs.put(c.name(), cc);
            }
            out.println("🔑 CA and certificates in " + pki());
            if (nftables()) {
                network();
                for (DemoState.Cluster c : state.clusters().values()) {
                    pods(c);
                }
            }
            // Both clusters start side by side: each step spawns its processes, then waits for all of them.
            List<Runnable> ready = new ArrayList<>();
            for (DemoState.Cluster c : state.clusters().values()) {
                DemoManifests.write(manifests(c), c.id(), c);
                DemoLinks.writeAccess(DemoLinks.accessFile(state, c), c.name(), DemoLinks.others(state, c));
                // Before the proxies: they follow the mesh through it too (ServiceExports of other clusters).
                writeClustersDir(c);
                ready.add(startEtcd(c));
            }
            awaitAll(ready);
            for (DemoState.Cluster c : state.clusters().values()) {
                ready.add(startProxy(c));
            }
            awaitAll(ready);
            for (DemoState.Cluster c : state.clusters().values()) {
                out.println("✅ " + c.name() + " (ID " + c.id() + "): etcd on 127.0.0.1:" + c.port(DemoLayout.ETCD)
                        + ", mesh-proxy on " + c.proxyEndpoint());
            }
            for (DemoState.Cluster c : state.clusters().values()) {
                ready.add(startAgent(c));
                ready.add(startDns(c));
            }
            awaitAll(ready);
            for (DemoState.Cluster c : state.clusters().values()) {
                out.println("✅ " + c.name() + ": mesh-agent API on " + c.agentAddress() + " (datapath "
                        + state.datapath() + (nftables() ? " in netns " + DemoNetwork.nodeNs(state.netPrefix(), c.id())
                        : "") + "), mesh-dns on " + c.dnsAddress()
                        + (launch.podman() ? " (podman containers " + launch.name(c, "*") + ")" : ""));
            }
        } catch (RuntimeException e) {
            out.println("❌ demo up failed; stopping what was started (logs stay in " + state.dir() + ")");
            try {
                stopProcesses();
                new NetworkSetup(state).teardown();
            } catch (MeshCtlException cleanup) {
                e.addSuppressed(cleanup);
                out.println("❌ and cleaning up failed too: " + cleanup.getMessage() + "; retry with 'meshctl demo down'");
            }
            throw e;
        }
    }

    private static void awaitAll(List<Runnable> ready) {
        ready.forEach(Runnable::run);
        ready.clear();
    }

    private void network() {
        NetworkSetup net = new NetworkSetup(state);
        net.nodes();
        for (DemoState.Cluster c : state.clusters().values()) {
            out.println("🌐 " + c.name() + ": node netns " + DemoNetwork.nodeNs(state.netPrefix(), c.id()) + " ("
                    + DemoLayout.nodeIp(c.id()) + " on " + DemoNetwork.UNDERLAY_LINK + "), pods resolve through "
                    + DemoNetwork.GATEWAY + ":53 -> mesh-dns on " + DemoNetwork.hostIp(state.hostNet(), c.id()));
        }
    }

    /**
     * Makes cluster {@code c}'s missing pods up to its replicas and starts the rebel-base servers that do not
     * run; pods beyond the replicas are left as they are.
     */
    void pods(DemoState.Cluster c) {
        NetworkSetup net = new NetworkSetup(state);
        String java = Install.java();
        Path classes = Install.meshctlClasses();
        List<String> made = new ArrayList<>();
        Map<String, Long> started = new LinkedHashMap<>();
        for (String deployment : List.of(DemoLayout.SERVICE, DemoLayout.CLIENT)) {
            for (int k = 1; k <= c.replicas().getOrDefault(deployment, 0); k++) {
                String pod = DemoLayout.podName(deployment, k);
                if (net.pod(c, deployment, k)) {
                    made.add(pod + " " + DemoLayout.podIp(c.id(), deployment, k));
                }
                if (DemoLayout.SERVICE.equals(deployment) && !running(c, pod)) {
                    started.put(pod, startRebelBase(c, k, java, classes));
                }
            }
        }
        started.forEach((pod, pid) -> Processes.await(c.name() + " " + pod, pid, log(c, pod), START_TIMEOUT,
                () -> logContains(log(c, pod), RebelBase.LISTENING)));
        if (!made.isEmpty()) {
            out.println("✅ " + c.name() + ": pods " + String.join(", ", made));
        }
    }

    private boolean running(DemoState.Cluster c, String role) {
        return c.processes.stream().anyMatch(p -> p.role().equals(role) && Processes.runs(p.pid(), marker()));
    }

    private long startRebelBase(DemoState.Cluster c, int k, String java, Path classes) {
        String pod = DemoLayout.podName(DemoLayout.SERVICE, k);
        String ip = DemoLayout.podIp(c.id(), DemoLayout.SERVICE, k);
        List<String> cmd = List.of("ip", "netns", "exec",
                DemoNetwork.podNs(state.netPrefix(), c.id(), DemoLayout.SERVICE, k), java, "-Xmx32m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dclustermesh.demo=" + marker(), "-cp",
                classes.toString(), RebelBase.class.getName(), ip, c.name(), pod);
        return spawn(c, pod, cmd);
    }

    private static boolean logContains(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    public Path manifests(DemoState.Cluster c) {
        return state.clusterDir(c.name()).resolve("manifests");
    }

    Path clustersDir(DemoState.Cluster c) {
        return state.clusterDir(c.name()).resolve("clusters");
    }

    private String marker() {
        return state.dir().toString();
    }

    Runnable startEtcd(DemoState.Cluster c) {
        Path data = state.clusterDir(c.name()).resolve("etcd");
        String client = "http://127.0.0.1:" + c.port(DemoLayout.ETCD);
        String peer = "http://127.0.0.1:" + c.port(DemoLayout.ETCD_PEER);
        List<String> cmd = launch.etcd(c, List.of("--name", c.name(), "--data-dir", data.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", c.name() + "=" + peer,
                "--log-level", "warn"));
        long pid = spawn(c, "etcd", cmd);
        return () -> Processes.await(c.name() + " etcd", pid, log(c, "etcd"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.ETCD), "/health"));
    }

    Runnable startProxy(DemoState.Cluster c) {
        Path certs = pki().resolve(c.name());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mesh.cluster.name", c.name());
        p.put("mesh.cluster.id", Integer.toString(c.id()));
        p.put("mesh.cluster.pod-cidrs", DemoLayout.podCidr(c.id()));
        p.put("mesh.cluster.service-cidrs", DemoLayout.serviceCidr(c.id()));
        p.put("mesh.etcd.endpoints", "http://127.0.0.1:" + c.port(DemoLayout.ETCD));
        p.put("mesh.export.source", "directory");
        p.put("mesh.export.directory", manifests(c).toString());
        p.put("mesh.export.identity", "mesh-proxy-" + c.name());
        // The proxy follows the mesh as the agents do, to import what the other clusters export with ServiceExports.
        p.put("mesh.mcs.clusters-dir", clustersDir(c).toString());
        p.put("quarkus.http.ssl-port", Integer.toString(c.port(DemoLayout.PROXY_API)));
        p.put("quarkus.http.host", "127.0.0.1");
        p.put("quarkus.management.port", Integer.toString(c.port(DemoLayout.PROXY_MANAGEMENT)));
        p.put("quarkus.management.host", "127.0.0.1");
        p.put("quarkus.tls.mesh-api.key-store.pem.0.cert", certs.resolve(MeshPki.SERVER_CERT).toString());
        p.put("quarkus.tls.mesh-api.key-store.pem.0.key", certs.resolve(MeshPki.SERVER_KEY).toString());
        p.put("quarkus.tls.mesh-api.trust-store.pem.certs", certs.resolve(MeshPki.CA_CERT).toString());
        p.put("mesh.access.file", DemoLinks.accessFile(state, c).toString());
        long pid = spawn(c, "mesh-proxy", launch.service(c, "mesh-proxy", p, "128m"));
        return () -> Processes.await(c.name() + " mesh-proxy", pid, log(c, "mesh-proxy"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.PROXY_MANAGEMENT), "/q/health/ready"));
    }

    /** One file per cluster in Cilium's layout: its own proxy with local-, the other's with remote-. */
    private void writeClustersDir(DemoState.Cluster self) {
        for (DemoState.Cluster c : state.clusters().values()) {
            writeClusterFile(self, c);
        }
    }

    /** {@code self}'s agents' file for {@code c}: how to reach c's proxy and as whom. */
    void writeClusterFile(DemoState.Cluster self, DemoState.Cluster c) {
        Path dir = clustersDir(self);
        Path own = pki().resolve(self.name());
        String identity = c == self ? MeshPki.localIdentity(self.name()) : MeshPki.remoteIdentity(self.name());
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + c.name() + ".tmp");
            Files.writeString(tmp, "endpoints:\n- " + c.proxyEndpoint() + "\ntrusted-ca-file: "
                    + own.resolve(MeshPki.CA_CERT) + "\ncert-file: " + own.resolve(MeshPki.certFile(identity))
                    + "\nkey-file: " + own.resolve(MeshPki.keyFile(identity)) + "\n");
            Files.move(tmp, dir.resolve(c.name()), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    Runnable startAgent(DemoState.Cluster c) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mesh.cluster.name", c.name());
        p.put("mesh.cluster.id", Integer.toString(c.id()));
        p.put("mesh.node-name", DemoLayout.nodeName(c.id()));
        p.put("mesh.clusters.dir", clustersDir(c).toString());
        p.put("mesh.datapath.mode", state.datapath());
        if (nftables()) {
            p.put("mesh.datapath.netns", DemoNetwork.nodeNs(state.netPrefix(), c.id()));
            p.put("mesh.datapath.routing.mode", "native");
        }
        p.put("quarkus.http.port", Integer.toString(c.port(DemoLayout.AGENT_API)));
        p.put("quarkus.management.port", Integer.toString(c.port(DemoLayout.AGENT_MANAGEMENT)));
        p.put("quarkus.management.host", "127.0.0.1");
        long pid = spawn(c, "mesh-agent", launch.service(c, "mesh-agent", p, "192m"));
        return () -> Processes.await(c.name() + " mesh-agent", pid, log(c, "mesh-agent"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.AGENT_MANAGEMENT), "/q/health/live"));
    }

    Runnable startDns(DemoState.Cluster c) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mesh.cluster.name", c.name());
        p.put("mesh.clusters.dir", clustersDir(c).toString());
        // Pods reach it through the node's DNAT on the host link, so it listens there too.
        p.put("mesh.dns.host", nftables() ? "0.0.0.0" : "127.0.0.1");
        p.put("mesh.dns.port", Integer.toString(c.port(DemoLayout.DNS)));
        p.put("quarkus.management.port", Integer.toString(c.port(DemoLayout.DNS_MANAGEMENT)));
        p.put("quarkus.management.host", "127.0.0.1");
        long pid = spawn(c, "mesh-dns", launch.service(c, "mesh-dns", p, "128m"));
        return () -> Processes.await(c.name() + " mesh-dns", pid, log(c, "mesh-dns"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.DNS_MANAGEMENT), "/q/health/live"));
    }

    private long spawn(DemoState.Cluster c, String role, List<String> cmd) {
        Path log = log(c, role);
        long pid = Processes.spawn(cmd, log);
        c.processes.add(new DemoState.Proc(role, pid, log.toString()));
        state.save();
        return pid;
    }

    Path log(DemoState.Cluster c, String role) {
        return state.clusterDir(c.name()).resolve(role + ".log");
    }

    /**
     * Stops every process of the demo: all but etcd at once, then etcd, since a mesh-proxy whose etcd is gone
     * takes seconds to give up its lease. Returns how many were running.
     */
    int stopProcesses() {
        int stopped = 0;
        try {
            for (boolean etcd : new boolean[] {false, true}) {
                List<Long> pids = state.clusters().values().stream().flatMap(c -> c.processes.stream())
                        .filter(p -> "etcd".equals(p.role()) == etcd).map(DemoState.Proc::pid).toList();
                stopped += Processes.stopAll(pids, marker(), Duration.ofSeconds(10));
            }
        } finally {
            int left = launch.removeContainers();
            if (left > 0) {
                out.println("🧹 removed " + left + " containers whose podman client had gone");
            }
        }
        return stopped;
    }

    /** Stops everything, removes the demo's network and then the state directory. */
    int down() {
        int stopped = stopProcesses();
        if (!state.namespaces().isEmpty() || !state.links().isEmpty()) {
            int removed = new NetworkSetup(state).teardown();
            out.println("🧹 removed " + removed + " network namespaces (" + state.netPrefix() + "-*)");
        }
        deleteTree(state.dir());
        return stopped;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new MeshCtlException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether any of the demo's processes still runs. */
    boolean anyRunning() {
        return state.clusters().values().stream().flatMap(c -> c.processes.stream())
                .anyMatch(p -> Processes.runs(p.pid(), marker()));
    }
}
