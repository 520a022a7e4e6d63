package dev.clustermesh.testing.kube;

import dev.clustermesh.pki.Pem;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.etcd.EtcdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One real Kubernetes control plane on loopback: its own etcd, kube-apiserver (token auth, RBAC, the spec's
 * Service CIDR), kube-controller-manager (every default controller, node IPAM from the pod CIDR), kube-scheduler,
 * and kwok simulating the spec's nodes, so Deployments become Running pods with IPs and the real EndpointSlice
 * controller writes real slices. No kubelet: no container runs; mesh processes are started next to it by tests.
 */
public final class KubeCluster implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(90);
    /**
     * Debian's etcd 3.4 lacks RequestWatchProgress, so the API server cannot serve streaming lists; clients that try
     * them first fall back to list+watch only after an error per informer, and some informers then lag for seconds.
     * The API server turns them off too (kwok's client cannot be told), so a client's attempt fails at once.
     */
    private static final String NO_WATCH_LIST = "--feature-gates=WatchListClient=false";
    private final ClusterSpec spec;
    private final Path dir;
    private final Path kubectl;
    private final String token = UUID.randomUUID().toString().replace("-", "");
    private final int apiPort = FreePorts.next();
    private final List<Daemon> daemons = new ArrayList<>();
    private EtcdProcess etcd;
    private Daemon apiServer;

    private KubeCluster(ClusterSpec spec, Path dir, Path kubectl) {
        this.spec = spec;
        this.dir = dir;
        this.kubectl = kubectl;
    }

    /**
     * Starts every process and returns once the API server is ready and every node is Ready.
     *
     * @throws IllegalStateException when a process exits or is not ready in time, with its log's tail
     */
    public static KubeCluster start(KubePeers peers, ClusterSpec spec, Path dir) {
        KubeCluster c = new KubeCluster(spec, dir, peers.binary("kubectl"));
        try {
            c.startAll(peers);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private void startAll(KubePeers peers) {
        try {
            Files.createDirectories(dir.resolve("pki"));
            Files.writeString(dir.resolve("pki/tokens.csv"), token + ",admin,admin,system:masters\n");
            var keys = KeyPairGenerator.getInstance("RSA");
            keys.initialize(2048);
            Pem.writePrivateKey(dir.resolve("pki/sa.key"), keys.generateKeyPair().getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        etcd = EtcdProcess.start(dir.resolve("etcd"));
        apiServer = daemon("kube-apiserver", apiServerCommand(peers));
        awaitApiServer();
        Kubeconfig.write(kubeconfig(), List.of(this));
        daemon("kube-controller-manager", List.of(peers.binary("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig(), "--controllers=*", "--leader-elect=false", "--secure-port=0",
                "--service-account-private-key-file=" + dir.resolve("pki/sa.key"),
                "--root-ca-file=" + dir.resolve("pki/apiserver.crt"), "--use-service-account-credentials=true",
                "--allocate-node-cidrs=true", "--cluster-cidr=" + spec.podCidr(),
                // kube-controller-manager refuses the per-family flags on a single-stack cluster.
                spec.podCidr().contains(",") ? "--node-cidr-mask-size-ipv6=64" : "--node-cidr-mask-size=24",
                "--service-cluster-ip-range=" + spec.serviceCidr(), "--cluster-name=" + spec.name(),
                NO_WATCH_LIST));
        daemon("kube-scheduler", List.of(peers.binary("kube-scheduler").toString(), "--kubeconfig=" + kubeconfig(),
                "--leader-elect=false", "--secure-port=0", NO_WATCH_LIST));
        daemon("kwok", List.of(peers.binary("kwok").toString(), "--kubeconfig=" + kubeconfig(),
                "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--cidr=" + spec.primaryPodCidr(), "--node-ip=" + spec.nodes().get(0).ip(),
                "--server-address=127.0.0.1:" + FreePorts.next(),
                // Without node leases the node lifecycle controller finds the nodes' heartbeats stale after its
                // grace period and marks every pod NotReady, which kwok never undoes.
                "--node-lease-duration-seconds=40"));
        kubectl("apply", "-f", Nodes.write(dir.resolve("nodes.yaml"), spec).toString());
        Eventually.await(READY, () -> {
            daemons.forEach(Daemon::checkAlive);
            Command.Result r = kubectlResult("wait", "--for=condition=Ready", "node", "--all", "--timeout=5s");
            if (r.exitCode() != 0) {
                throw new AssertionError("nodes of " + spec.name() + " not Ready: " + r.output());
            }
        });
    }

    private List<String> apiServerCommand(KubePeers peers) {
        return List.of(peers.binary("kube-apiserver").toString(), "--etcd-servers=" + etcd.endpoint(),
                "--secure-port=" + apiPort, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
                "--cert-dir=" + dir.resolve("pki"), "--token-auth-file=" + dir.resolve("pki/tokens.csv"),
                "--service-account-key-file=" + dir.resolve("pki/sa.key"),
                "--service-account-signing-key-file=" + dir.resolve("pki/sa.key"),
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--authorization-mode=Node,RBAC", "--service-cluster-ip-range=" + spec.serviceCidr(),
                "--allow-privileged=true", "--feature-gates=WatchList=false,WatchListClient=false");
    }

    private Daemon daemon(String name, List<String> command) {
        Daemon d = Daemon.start(spec.name() + "-" + name, command, Map.of(),
                dir.resolve("logs").resolve(name + ".log"));
        daemons.add(d);
        return d;
    }

    private void awaitApiServer() {
        HttpProbe probe = new HttpProbe(server(), token);
        Eventually.await(READY, () -> {
            apiServer.checkAlive();
            if (!probe.ready()) {
                throw new AssertionError("kube-apiserver of " + spec.name() + " not ready at " + server());
            }
        });
    }

    /** kill -9 of kube-apiserver, then the same command again; returns once it is ready. */
    public void restartApiServer() {
        apiServer.killNow();
        apiServer.launch();
        awaitApiServer();
    }

    /** Runs kubectl (the peers' own, of the API server's version) against this cluster; fails unless it exits 0. */
    public String kubectl(String... args) {
        Command.Result r = kubectlResult(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " on " + spec.name() + " failed:\n"
                    + r.output());
        }
        return r.output();
    }

    /** Runs kubectl against this cluster and returns whatever it did. */
    public Command.Result kubectlResult(String... args) {
        List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig=" + kubeconfig()));
        cmd.addAll(List.of(args));
        return Command.run(Duration.ofSeconds(120), Map.of(), cmd);
    }

    public ClusterSpec spec() {
        return spec;
    }

    /** This cluster's own etcd (kube-apiserver's storage). */
    public EtcdProcess etcd() {
        return etcd;
    }

    /** The API server's port on 127.0.0.1. */
    public int apiPort() {
        return apiPort;
    }

    /** {@code https://127.0.0.1:<port>}. */
    public String server() {
        return "https://127.0.0.1:" + apiPort;
    }

    /** A cluster-admin bearer token. */
    public String adminToken() {
        return token;
    }

    /** This cluster's own kubeconfig (context {@code kind-<name>}, admin). */
    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    /** The directory holding this cluster's data and logs ({@code logs/<process>.log}). */
    public Path dir() {
        return dir;
    }

    /** Stops every process, newest first, then etcd. */
    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            daemons.get(i).close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }
}
