package dev.clustermesh.meshctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.meshctl.demo.MeshctlProcess;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.TcpRelay;
import dev.clustermesh.testing.etcd.EtcdProcess;
import dev.clustermesh.testing.etcd.Etcdctl;
import dev.clustermesh.testing.kube.ClusterSpec;
import dev.clustermesh.testing.kube.KubeCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One cluster of the test mesh on a real API server: its overlay applied server-side, and the overlay's mesh-proxy,
 * mesh-agent (the control-plane node's DaemonSet pod) and mesh-dns pods run here as local processes
 * ({@link OverlayPod}), plus what a real cluster's network gives them: the mesh etcd (the overlay's StatefulSet is
 * only simulated by kwok), the NodePort (a relay from the control-plane node's address:32379 to the proxy) and the
 * cluster DNS name of the proxy Service (a hosts file).
 */
final class MeshSite implements AutoCloseable {
    static final String NS = "clustermesh-system";
    static final int NODE_PORT = 32379;
    private final KubeCluster kube;
    private final KubernetesClient k;
    private final Path dir;
    private final List<AutoCloseable> running = new ArrayList<>();
    private OverlayPod proxy;
    private OverlayPod agent;
    private OverlayPod dns;
    private TcpRelay apiRelay;
    private EtcdProcess meshEtcd;
    private int agentPort;
    private int dnsPort;

    MeshSite(KubeCluster kube, Path dir) {
        this.kube = kube;
        this.dir = dir;
        Config config = Config.fromKubeconfig(kube.spec().context(), read(kube.kubeconfig()), null);
        this.k = new KubernetesClientBuilder().withConfig(config).build();
    }

    /** {@code kubectl apply --server-side -k overlay}: the namespace first, as a fresh API server needs. */
    void applyOverlay(Path overlay) {
        kube.kubectl("create", "namespace", NS);
        kube.kubectl("apply", "--server-side", "-k", overlay.toString());
    }

    /** Starts the mesh etcd and the three workloads' pods; returns once each is ready. */
    void startWorkloads(Path repo) {
        meshEtcd = EtcdProcess.start(dir.resolve("mesh-etcd"));
        EtcdProcess etcd = meshEtcd;
        running.add(etcd);
        Path hosts = hostsFile();
        String nodeIp = controlPlane().ip();
        running.add(new TcpRelay(address(nodeIp), NODE_PORT, address(nodeIp), 2379));
        // The exporter reaches the API server through a relay a test can cut (a partition, for real).
        apiRelay = new TcpRelay(kube.apiPort());
        running.add(apiRelay);
        int proxyMgmt = FreePorts.next();
        proxy = OverlayPod.start(kube, "https://127.0.0.1:" + apiRelay.port(), k, runningPod("app.kubernetes.io/name=mesh-proxy", null), dir.resolve("proxy"),
                repo.resolve("mesh-proxy/target/quarkus-app/quarkus-run.jar"), hosts, Map.of(
                        "MESH_ETCD_ENDPOINTS", etcd.endpoint(), "QUARKUS_HTTP_HOST", nodeIp,
                        // fabric8's informers say at DEBUG when a watch got 410 Gone and they re-list.
                        "QUARKUS_LOG_CATEGORY__IO_FABRIC8_KUBERNETES_CLIENT_INFORMERS_IMPL_CACHE__LEVEL", "DEBUG",
                        "QUARKUS_MANAGEMENT_HOST", "127.0.0.1", "QUARKUS_MANAGEMENT_PORT", Integer.toString(proxyMgmt)),
                proxyMgmt);
        running.add(proxy);
        agentPort = FreePorts.next();
        int agentMgmt = FreePorts.next();
        agent = OverlayPod.start(kube, kube.server(), k, runningPod("app.kubernetes.io/name=mesh-agent", controlPlane().name()),
                dir.resolve("agent"), repo.resolve("mesh-agent/target/quarkus-app/quarkus-run.jar"), hosts, Map.of(
                        "MESH_DATAPATH_MODE", "memory", "QUARKUS_HTTP_PORT", Integer.toString(agentPort),
                        "QUARKUS_MANAGEMENT_HOST", "127.0.0.1", "QUARKUS_MANAGEMENT_PORT", Integer.toString(agentMgmt)),
                agentMgmt);
        running.add(agent);
        dnsPort = FreePorts.next();
        int dnsMgmt = FreePorts.next();
        dns = OverlayPod.start(kube, kube.server(), k, runningPod("app.kubernetes.io/name=mesh-dns", null), dir.resolve("dns"),
                repo.resolve("mesh-dns/target/quarkus-app/quarkus-run.jar"), hosts, Map.of(
                        "MESH_DNS_HOST", "127.0.0.1", "MESH_DNS_PORT", Integer.toString(dnsPort),
                        "QUARKUS_MANAGEMENT_HOST", "127.0.0.1", "QUARKUS_MANAGEMENT_PORT", Integer.toString(dnsMgmt)),
                dnsMgmt);
        running.add(dns);
    }

    /** A Running pod of the selector (on {@code node} when given), as kwok reports it. */
    Pod runningPod(String selector, String node) {
        Pod[] found = new Pod[1];
        Eventually.await(Duration.ofSeconds(90), () -> {
            found[0] = k.pods().inNamespace(NS).withLabel(selector.split("=")[0], selector.split("=")[1]).list()
                    .getItems().stream().filter(p -> "Running".equals(p.getStatus().getPhase()))
                    .filter(p -> node == null || node.equals(p.getSpec().getNodeName()))
                    .min(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
                    .orElseThrow(() -> new AssertionError("no Running pod " + selector + " in " + name()));
        });
        return found[0];
    }

    private Path hostsFile() {
        String ip = controlPlane().ip();
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n" + ip + " mesh-proxy." + NS
                    + ".svc mesh-proxy." + NS + ".svc.cluster.local\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the repository's ./meshctl with this mesh's kubeconfig. */
    static MeshctlProcess.Result meshctl(Path kubeconfig, long timeoutSeconds, String... args) {
        return MeshctlProcess.run(timeoutSeconds, Map.of("KUBECONFIG", kubeconfig.toString()), List.of(args));
    }

    ClusterSpec.NodeSpec controlPlane() {
        return kube.spec().nodes().get(0);
    }

    String name() {
        return kube.spec().name();
    }

    String context() {
        return kube.spec().context();
    }

    KubeCluster kube() {
        return kube;
    }

    KubernetesClient client() {
        return k;
    }

    OverlayPod proxy() {
        return proxy;
    }

    /** Names ({@code <ns>/<name>}) of the global shared services the exporter wrote into the mesh etcd. */
    TreeSet<String> exportedServices() {
        String prefix = "mesh/v1/services/" + name() + "/";
        Command.Result r = new Etcdctl(meshEtcd.endpoint()).run("get", prefix, "--prefix", "--keys-only");
        assertThat(r.exitCode()).as(r.output()).isZero();
        TreeSet<String> out = new TreeSet<>();
        r.output().lines().filter(l -> l.startsWith(prefix)).forEach(l -> out.add(l.substring(prefix.length())));
        return out;
    }

    /** The relay between the exporter and the API server. */
    TcpRelay apiRelay() {
        return apiRelay;
    }

    OverlayPod agent() {
        return agent;
    }

    String agentAddress() {
        return "127.0.0.1:" + agentPort;
    }

    int dnsPort() {
        return dnsPort;
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                // Keep stopping the rest.
            }
        }
        k.close();
    }
}
