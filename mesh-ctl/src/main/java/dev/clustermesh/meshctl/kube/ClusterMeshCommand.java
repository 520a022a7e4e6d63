package dev.clustermesh.meshctl.kube;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.pki.KubeNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshctl clustermesh enable|connect|disconnect}: set clusters up through the Kubernetes API. */
@Command(name = "clustermesh", mixinStandardHelpOptions = true,
        description = "Enable ClusterMesh in a cluster and connect clusters, through the Kubernetes API.",
        subcommands = {ClusterMeshCommand.Enable.class, ClusterMeshCommand.Connect.class,
            ClusterMeshCommand.Disconnect.class, ClusterMeshCommand.Status.class})
public final class ClusterMeshCommand {

    /** Options every subcommand takes. */
    abstract static class KubeOptions {
        @Option(names = "--kubeconfig", description = "kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
        Path kubeconfig;

        @Option(names = "--namespace", defaultValue = KubeNames.NAMESPACE,
                description = "Namespace of the mesh (default: ${DEFAULT-VALUE}).")
        String namespace;

        @Option(names = "--validity-days", defaultValue = "365",
                description = "Validity of issued certificates (default: ${DEFAULT-VALUE}).")
        int validityDays;

        Duration validity() {
            if (validityDays < 1) {
                throw new IllegalArgumentException("--validity-days must be at least 1, got " + validityDays);
            }
            return Duration.ofDays(validityDays);
        }
    }

    /** The two clusters of connect and disconnect. */
    abstract static class TwoClusters extends KubeOptions {
        @Option(names = "--context", required = true, description = "kubeconfig context of one cluster.")
        String context;

        @Option(names = "--destination-context", required = true, description = "kubeconfig context of the other.")
        String destination;

        void checkDistinct() {
            if (context.equals(destination)) {
                throw new IllegalArgumentException("--context and --destination-context are both '" + context
                        + "'; a cluster cannot connect to itself");
            }
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = "Give a cluster its mesh identity: certificates from the shared CA, the clusters Secret "
                    + "with its own entry, and the proxy Service.")
    static final class Enable extends KubeOptions implements Runnable {
        @Option(names = "--context", required = true, description = "kubeconfig context of the cluster.")
        String context;

        @Option(names = "--cluster-name", description = "Cluster name, unique in the mesh (default: the cluster's "
                + "existing record, else MESH_CLUSTER_NAME of the applied overlay's mesh-proxy).")
        String name;

        @Option(names = "--cluster-id", description = "Cluster ID, 1..255, unique in the mesh (default: as the name).")
        Integer id;

        @Option(names = "--service-type",
                description = "How other clusters reach the proxy: NodePort, LoadBalancer or ClusterIP (default: "
                        + "the existing Service's type, NodePort for a new one).")
        ClusterMeshOps.ServiceType serviceType;

        @Option(names = "--ca-dir", defaultValue = "clustermesh-pki",
                description = "The mesh's CA, from 'meshctl ca create' (default: ${DEFAULT-VALUE}).")
        Path caDir;

        @Option(names = "--proxy-dns", description = "Extra DNS name in the proxy certificate (repeatable).")
        List<String> proxyDns = new ArrayList<>();

        @Option(names = "--proxy-ip", description = "Extra IP in the proxy certificate (repeatable).")
        List<String> proxyIps = new ArrayList<>();

        @Override
        public void run() {
            if (name != null) {
                ClusterIdentity.nameProblem(name).ifPresent(p -> {
                    throw new IllegalArgumentException("--cluster-name: " + p);
                });
            }
            if (id != null) {
                ClusterIdentity.idProblem(id).ifPresent(p -> {
                    throw new IllegalArgumentException("--cluster-id: " + p);
                });
            }
            try (KubernetesClient k = KubeContexts.client(kubeconfig, context)) {
                ClusterMeshOps ops = new ClusterMeshOps(namespace, System.out);
                ClusterIdentity cluster = ClusterIdentities.resolve(context, k, namespace, ops, name, id);
                ops.enable(context, k, cluster, serviceType, caDir, proxyDns, proxyIps, validity());
            }
        }
    }

    @Command(name = "connect", mixinStandardHelpOptions = true,
            description = "Connect two enabled clusters both ways: each one's clusters Secret gets an entry for "
                    + "the other, with a remote-<cluster> client certificate, and each proxy's access list "
                    + "(ConfigMap clustermesh-access) lets the other in.")
    static final class Connect extends TwoClusters implements Runnable {
        @Option(names = "--destination-endpoint",
                description = "https://host:port of the destination's proxy (default: from its Service).")
        String destinationEndpoint;

        @Option(names = "--source-endpoint",
                description = "https://host:port of the source's proxy (default: from its Service).")
        String sourceEndpoint;

        @Option(names = "--pin", description = "Pin each access list entry to the key (SPKI hash) of the client "
                + "certificate issued now: a certificate issued for that cluster with another key (by mistake, or "
                + "by whoever holds the CA key) is refused; certs renew and certs rotate keep keys.")
        boolean pin;

        @Override
        public void run() {
            checkDistinct();
            for (String e : new String[] {destinationEndpoint, sourceEndpoint}) {
                if (e != null && !e.matches("https://[^/\\s]+:\\d+")) {
                    throw new IllegalArgumentException("'" + e + "' is not https://host:port");
                }
            }
            try (KubernetesClient a = KubeContexts.client(kubeconfig, context);
                    KubernetesClient b = KubeContexts.client(kubeconfig, destination)) {
                new ClusterMeshOps(namespace, System.out).connect(context, a, destination, b, destinationEndpoint,
                        sourceEndpoint, validity(), pin);
            }
        }
    }

    @Command(name = "disconnect", mixinStandardHelpOptions = true,
            description = "Disconnect two clusters both ways.")
    static final class Disconnect extends TwoClusters implements Runnable {
        @Override
        public void run() {
            checkDistinct();
            try (KubernetesClient a = KubeContexts.client(kubeconfig, context);
                    KubernetesClient b = KubeContexts.client(kubeconfig, destination)) {
                new ClusterMeshOps(namespace, System.out).disconnect(context, a, destination, b);
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "A cluster's mesh as its Kubernetes API shows it (identity, proxy Service and address, "
                    + "workloads, connected clusters), and with --agent that agent's view of every cluster.")
    static final class Status extends KubeOptions implements Runnable {
        @Option(names = "--context", required = true, description = "kubeconfig context of the cluster.")
        String context;

        @Option(names = "--agent", description = "Also ask this agent (host:port of its API) about every cluster.")
        String agent;

        @Option(names = "--wait", description = "Wait until nothing is missing.")
        boolean await;

        @Option(names = "--timeout", defaultValue = "5m", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--certificate-warning", defaultValue = "30d", description = "Warn about certificates of the "
                + "mesh's Secrets (and the agent's, with --agent) that expire within this long (default: ${DEFAULT-VALUE}).")
        Duration certificateWarning;

        @Override
        public void run() {
            try (KubernetesClient k = KubeContexts.client(kubeconfig, context);
                    AgentClient a = agent == null ? null : new AgentClient(agent, Duration.ofSeconds(5))) {
                new ClusterMeshStatus(namespace, certificateWarning, System.out).run(context, k, java.util.Optional.ofNullable(a), await,
                        timeout, System.err);
            }
        }
    }
}
