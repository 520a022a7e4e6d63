package dev.clustermesh.agent.chaos;

import dev.clustermesh.agent.datapath.MemoryDatapath;
import dev.clustermesh.agent.loadbalancer.LbBackend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.loadbalancer.LbService;
import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.agent.mesh.AgentObserver;
import dev.clustermesh.agent.mesh.AgentSettings;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.testing.TcpRelay;
import dev.clustermesh.testing.kube.ClusterSpec;
import dev.clustermesh.testing.kube.KubeCluster;
import dev.clustermesh.testing.kube.KubePeers;
import dev.clustermesh.testing.mesh.LocalCluster;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The campaign's mesh, real parts only: per cluster a real etcd and one or two mesh-proxy processes (replicas that
 * campaign for the export lease and all serve reads) exporting a manifest directory (the last cluster: a real
 * Kubernetes API server, which the churn changes with kubectl), {@code agentsPerCluster}
 * agents with the memory datapath and one more with the nftables datapath in a node namespace of its own
 * ({@link ChaosNft}, always the last of the cluster's agents), all of which reach every other cluster's proxies
 * through TCP relays of that cluster pair (cut to partition the pair, one way or both) and their own directly,
 * each with every replica as an endpoint; and per cluster a mesh-dns process joining as its agents do
 * ({@link ChaosDns}).
 */
final class ChaosMesh implements AutoCloseable {
    private final Path dir;
    private final RemoteClusterOptions options;
    private final List<LocalCluster> clusters = new ArrayList<>();
    /** "from->to" -> the relays (one per replica) the agents of {@code from} use to reach {@code to}'s proxies. */
    private final Map<String, List<TcpRelay>> relays = new HashMap<>();
    /** cluster id -> its agents (replaced on restart). */
    private final Map<Integer, List<AgentCore>> agents = new TreeMap<>();
    private final CertificateFactory certs;
    private final Ca ca;
    /** A CA nobody in the mesh trusts: its certificates stand for an operator's mistake. */
    private final Ca otherCa;
    private ChaosDns dns;
    private final ChaosNft nft;
    /** The last cluster's Kubernetes control plane, its exporter's source. */
    private KubeCluster kube;
    private int kubeChanges;
    private final int memoryAgents;

    ChaosMesh(Path dir, int clusterCount, int agentsPerCluster, int replicas, RemoteClusterOptions options) {
        this.dir = dir;
        this.options = options;
        this.certs = new CertificateFactory(dir.resolve("pki"));
        this.ca = certs.createCa("chaos-ca");
        this.otherCa = certs.createCa("another-ca");
        this.memoryAgents = agentsPerCluster;
        this.nft = new ChaosNft();
        try {
            for (int c = 1; c <= clusterCount; c++) {
                LocalCluster cluster = c < clusterCount
                        ? LocalCluster.start("cluster" + c, c, dir.resolve("cluster" + c), ca, certs)
                        : startOnKubernetes(c);
                clusters.add(cluster);
                if (replicas > 1) {
                    cluster.startReplica();
                }
            }
            for (int from = 1; from <= clusterCount; from++) {
                Path clustersDir = dir.resolve("agents-" + from);
                for (int to = 1; to <= clusterCount; to++) {
                    if (from == to) {
                        cluster(to).joinFile("cluster" + from, clustersDir, cluster(to).proxyPorts());
                    } else {
                        List<Integer> ports = new ArrayList<>();
                        for (int port : cluster(to).proxyPorts()) {
                            TcpRelay relay = new TcpRelay(port);
                            relays.computeIfAbsent(from + "->" + to, k -> new ArrayList<>()).add(relay);
                            ports.add(relay.port());
                        }
                        cluster(to).joinFile("cluster" + from, clustersDir, ports);
                    }
                }
                List<AgentCore> list = new ArrayList<>();
                agents.put(from, list); // before they start: closed with the mesh if a later start fails
                for (int a = 0; a <= agentsPerCluster; a++) {
                    list.add(startAgent(from, a));
                }
            }
            dns = new ChaosDns(dir, clusterCount, options);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Cluster {@code c} exporting from a real Kubernetes control plane of its own (its Service CIDR: the same). */
    private LocalCluster startOnKubernetes(int c) {
        kube = KubeCluster.start(KubePeers.locate(), ClusterSpec.seed(c), dir.resolve("kube" + c));
        return LocalCluster.startWithSource("cluster" + c, c, dir.resolve("cluster" + c), ca, certs, Map.of(
                "mesh.export.source", "kubernetes", "quarkus.kubernetes-client.api-server-url", kube.server(),
                "quarkus.kubernetes-client.token", kube.adminToken(), "quarkus.kubernetes-client.trust-certs", "true"));
    }

    /** How many manifest changes went to the Kubernetes API server (kubectl apply or delete). */
    int kubeChanges() {
        return kubeChanges;
    }

    /** Whether cluster {@code c} exports from a Kubernetes API server. */
    boolean onKubernetes(int c) {
        return c == clusters.size() && kube != null;
    }

    LocalCluster cluster(int id) {
        return clusters.get(id - 1);
    }

    int clusterCount() {
        return clusters.size();
    }

    ChaosDns dns() {
        return dns;
    }

    Map<Integer, List<AgentCore>> agents() {
        return agents;
    }

    /** Whether agent {@code index} of a cluster is its nftables agent. */
    boolean isNftables(int index) {
        return index == memoryAgents;
    }

    ChaosNft nft() {
        return nft;
    }

    private AgentCore startAgent(int cluster, int index) {
        boolean nftables = isNftables(index);
        AgentCore a = new AgentCore(new AgentSettings(new ClusterIdentity("cluster" + cluster, cluster(cluster).id()),
                "node-" + cluster + "-" + index, dir.resolve("agents-" + cluster), Duration.ofMillis(200), options,
                nftables ? "nftables" : "memory"), nftables ? nft.datapath(cluster) : new MemoryDatapath(),
                AgentObserver.NONE);
        a.start();
        return a;
    }

    /**
     * Stops one agent as a crash would for the mesh and starts a new one: a memory agent's datapath keeps nothing;
     * the nftables agent's table stays in its node and the new agent adopts it.
     */
    void restartAgent(int cluster, int index) {
        List<AgentCore> list = agents.get(cluster);
        list.get(index).close();
        list.set(index, startAgent(cluster, index));
    }

    /**
     * Disconnects cluster {@code c} from the other clusters' agents (their config file of it removed), or connects
     * it again: the file written anew, through the same relays.
     */
    void connected(int c, boolean on) {
        for (int from = 1; from <= clusters.size(); from++) {
            if (from == c) {
                continue;
            }
            Path clustersDir = dir.resolve("agents-" + from);
            if (on) {
                cluster(c).joinFile("cluster" + from, clustersDir,
                        relays.get(from + "->" + c).stream().map(TcpRelay::port).toList());
            } else {
                try {
                    Files.deleteIfExists(clustersDir.resolve("cluster" + c));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Cluster {@code c} under ID {@code id}: its proxies restarted under it, its own agents too. */
    void changeId(int c, int id) {
        cluster(c).changeId(id);
        for (int i = 0; i < agents.get(c).size(); i++) {
            restartAgent(c, i);
        }
    }

    /**
     * Writes (or deletes, for null) one manifest of a cluster, atomically, as a user editing the directory; on the
     * cluster with a Kubernetes API server, applies (or deletes) its objects with kubectl.
     */
    void manifest(int cluster, String file, String yaml) {
        if (onKubernetes(cluster)) {
            kubectl(file, yaml);
            return;
        }
        Path target = cluster(cluster).manifests().resolve(file);
        try {
            if (yaml == null) {
                Files.deleteIfExists(target);
            } else {
                Path tmp = Files.writeString(target.resolveSibling("." + file + ".tmp"), yaml);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kubectl apply of a manifest file's objects, or delete of its Service and EndpointSlice ({@code yaml} null). */
    private void kubectl(String file, String yaml) {
        String name = file.substring(0, file.length() - ".yaml".length());
        kubeChanges++;
        if (yaml == null) {
            kube.kubectl("delete", "-n", "default", "--ignore-not-found", "service/" + name,
                    "endpointslice/" + name + "-abc");
            return;
        }
        try {
            Path applied = Files.createDirectories(dir.resolve("kube-applied")).resolve(file);
            Files.writeString(applied, yaml);
            kube.kubectl("apply", "-f", applied.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restarts cluster {@code c}'s proxy with a server certificate of a CA the mesh does not trust, or its own. */
    void otherCaCertificate(int c, boolean on) {
        cluster(c).serveCertificate(on ? certs.issueServer(otherCa, "mesh-proxy.cluster" + c, List.of("localhost"),
                List.of("127.0.0.1")) : null);
    }

    /** A client of cluster {@code c}'s proxy that asks for everything and never reads. */
    SlowConsumer slowConsumer(int c) {
        return new SlowConsumer(cluster(c).proxyPort(), ca, certs.issueClient(ca, "remote-slow"));
    }

    /** Cuts (or heals) what the agents of {@code from} use to reach {@code to}. */
    void partition(int from, int to, boolean cut) {
        for (TcpRelay r : relays.get(from + "->" + to)) {
            if (cut) {
                r.cut();
            } else {
                r.heal();
            }
        }
    }

    /**
     * What an agent load-balances now: service name -> usable backends as "cluster/ip" (the cluster's number;
     * with " under ID n" when the backend carries another ID than the cluster has now), for its frontends on
     * port 80 (every campaign service has one port).
     */
    Map<String, Set<String>> usable(AgentCore agent) {
        LbMaps maps = agent.applied();
        Map<String, Set<String>> out = new TreeMap<>();
        for (LbService s : maps.services().values()) {
            Set<String> set = out.computeIfAbsent(s.name().name(), n -> new TreeSet<>());
            for (LbService.Slot slot : s.slots()) {
                LbBackend b = maps.backends().get(slot.backendId());
                if (slot.usable() && b != null) {
                    // By cluster number (its name's digits), flagged when under another ID than the cluster's now.
                    int c = Integer.parseInt(b.cluster().substring("cluster".length()));
                    set.add(c + "/" + b.ip() + (b.clusterId() == cluster(c).id() ? "" : " under ID " + b.clusterId()));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        if (dns != null) {
            all.add(dns);
        }
        agents.values().forEach(all::addAll);
        relays.values().forEach(all::addAll);
        all.addAll(clusters);
        if (kube != null) {
            all.add(kube);
        }
        all.add(nft);
        RuntimeException failed = null;
        for (AutoCloseable c : all) {
            try {
                c.close(); // each one, whatever the others do: no process or namespace is left behind
            } catch (Exception e) {
                failed = failed == null ? new IllegalStateException("closing the mesh", e) : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
