package dev.clustermesh.meshctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.demo.MeshctlProcess;
import dev.clustermesh.proto.agent.v1.Backend;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.agent.v1.Service;
import dev.clustermesh.testing.kube.KubeMesh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Shared steps of the real-Kubernetes tests: the seed's set-up with meshctl, and reading what agents hold. */
final class KubeMeshHarness implements AutoCloseable {
    final Path repo = MeshctlProcess.repo();
    final Path dir;
    final Path pki;
    final KubeMesh kube;
    final Map<String, MeshSite> sites = new LinkedHashMap<>();

    KubeMeshHarness(KubeMesh kube, Path dir) {
        this.kube = kube;
        this.dir = dir;
        this.pki = dir.resolve("pki");
        ok(meshctl(60, "ca", "create", "--dir", pki.toString()));
    }

    /** Applies the overlay, enables the cluster as the seed does, and starts its mesh pods. */
    MeshctlProcess.Result deploy(String cluster, Path overlay) {
        MeshSite site = new MeshSite(kube.cluster(cluster), dir.resolve("site-" + cluster));
        sites.put(cluster, site);
        long start = System.nanoTime();
        site.applyOverlay(overlay);
        long applied = System.nanoTime();
        MeshctlProcess.Result enable = ok(meshctl(90, "clustermesh", "enable", "--context", site.context(),
                "--service-type", "NodePort", "--ca-dir", pki.toString()));
        long enabled = System.nanoTime();
        site.startWorkloads(repo);
        System.out.printf("%s deployed in %d ms: overlay %d ms, enable %d ms, workloads %d ms%n", cluster,
                (System.nanoTime() - start) / 1_000_000, (applied - start) / 1_000_000, (enabled - applied) / 1_000_000,
                (System.nanoTime() - enabled) / 1_000_000);
        return enable;
    }

    /**
     * The two-cluster set-up of the tests that need no third cluster: both seed overlays deployed and enabled,
     * connected both ways, and cluster1's agent reporting the mesh ready.
     */
    void deployConnectedPair() {
        deploy("cluster1", repo.resolve("k8s/overlays/cluster1"));
        deploy("cluster2", repo.resolve("k8s/overlays/cluster2"));
        ok(meshctl(120, "clustermesh", "connect", "--context", "kind-cluster1", "--destination-context",
                "kind-cluster2"));
        ok(meshctl(200, "clustermesh", "status", "--context", "kind-cluster1", "--wait", "--timeout", "3m",
                "--agent", site("cluster1").agentAddress()));
    }

    MeshSite site(String cluster) {
        return sites.get(cluster);
    }

    MeshctlProcess.Result meshctl(long timeoutSeconds, String... args) {
        return MeshSite.meshctl(kube.kubeconfig(), timeoutSeconds, args);
    }

    static MeshctlProcess.Result ok(MeshctlProcess.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    /** A copy of the cluster1 overlay made into another cluster, as an operator adds one (k8s/README.md). */
    Path derivedOverlay(int id) {
        Path out = dir.resolve("overlay-cluster" + id);
        try {
            Files.createDirectories(out);
            try (var files = Files.list(repo.resolve("k8s/overlays/cluster1"))) {
                for (Path f : files.toList()) {
                    String text = Files.readString(f).replace("cluster1", "cluster" + id)
                            .replace("MESH_CLUSTER_ID=1", "MESH_CLUSTER_ID=" + id).replace("10.10.", "10." + id + "0.")
                            .replace("10.11.", "10." + id + "1.").replace("../../base", out.relativize(repo.resolve("k8s/base")).toString());
                    Files.writeString(out.resolve(f.getFileName()), text);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed's workload in one cluster: {@code kubectl apply -f k8s/examples/rebel-base-<cluster>.yaml}. */
    void seedWorkload(String cluster) {
        kube.cluster(cluster).kubectl("apply", "-f", SeedWorkload.file(repo, cluster).toString());
    }

    /** {@code kubectl apply -f} of {@code yaml} in {@code cluster}. */
    void apply(String cluster, String name, String yaml) {
        Path f = dir.resolve(name + "-" + cluster + ".yaml");
        try {
            Files.writeString(f, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kube.cluster(cluster).kubectl("apply", "-f", f.toString());
    }

    /** Running pod IPs of {@code selector} in {@code cluster}, from its API server. */
    TreeSet<String> podIps(String cluster, String selector) {
        return new TreeSet<>(pods(cluster, selector).values());
    }

    /** Running pods of {@code selector} in {@code cluster} not being deleted: name → IP, from its API server. */
    TreeMap<String, String> pods(String cluster, String selector) {
        String out = kube.cluster(cluster).kubectl("get", "pods", "-l", selector, "--field-selector=status.phase=Running",
                "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.metadata.deletionTimestamp}"
                        + "{\"\\n\"}{end}");
        TreeMap<String, String> pods = new TreeMap<>();
        for (String line : out.lines().toList()) {
            String[] f = line.strip().split(" ");
            if (f.length == 2 && !f[1].isEmpty()) {
                pods.put(f[0], f[1]);
            }
        }
        return pods;
    }

    /** One service as an agent holds it: cluster → backend IPs, with usable and preferred marks. */
    record Held(Map<String, TreeSet<String>> all, Map<String, TreeSet<String>> usable,
            Map<String, TreeSet<String>> preferred, Map<String, String> states, int entries) {
    }

    /** What {@code agent} holds for default/{@code name}; empty maps when it has no such service. */
    static Held held(String agent, String name) {
        Map<String, TreeSet<String>> all = new TreeMap<>();
        Map<String, TreeSet<String>> usable = new TreeMap<>();
        Map<String, TreeSet<String>> preferred = new TreeMap<>();
        Map<String, String> states = new TreeMap<>();
        int entries = 0;
        try (AgentClient c = new AgentClient(agent, Duration.ofSeconds(5))) {
            for (Service s : c.services(ListServicesRequest.newBuilder().setNamespace("default").setName(name)
                    .build()).getServicesList()) {
                entries += s.getBackendsCount();
                for (Backend b : s.getBackendsList()) {
                    String a = b.getAddress();
                    String ip = a.startsWith("[") ? a.substring(1, a.indexOf(']')) : a.substring(0, a.indexOf(':'));
                    all.computeIfAbsent(b.getCluster(), x -> new TreeSet<>()).add(ip);
                    if (b.getUsable()) {
                        usable.computeIfAbsent(b.getCluster(), x -> new TreeSet<>()).add(ip);
                    }
                    if (b.getPreferred()) {
                        preferred.computeIfAbsent(b.getCluster(), x -> new TreeSet<>()).add(ip);
                    }
                    states.put(ip, b.getState());
                }
            }
        }
        return new Held(all, usable, preferred, states, entries);
    }

    @Override
    public void close() {
        List<MeshSite> all = new ArrayList<>(sites.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
