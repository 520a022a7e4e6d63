package dev.clustermesh.meshctl.kube;

import dev.clustermesh.meshctl.pki.ClusterSecrets;
import dev.clustermesh.meshctl.pki.KubeNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshctl certs renew}: one cluster's leaf certificates again from the mesh CA, before they expire; what
 * the {@code clustermesh-cert-renewal} CronJob runs in each cluster ({@code --in-cluster}).
 */
@Command(name = "renew", mixinStandardHelpOptions = true,
        description = "Renew one cluster's certificates (the proxy's server certificate, its agents' client "
                + "certificates) from the mesh CA when one expires within --renew-before; nothing restarts.")
public final class CertsRenewCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--kubeconfig", description = "kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", description = "kubeconfig context of the cluster.")
    String context;

    @Option(names = "--in-cluster", description = "Use the pod's service account (the CronJob) instead of a context.")
    boolean inCluster;

    @Option(names = "--namespace", defaultValue = KubeNames.NAMESPACE,
            description = "Namespace of the mesh (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--renew-before", defaultValue = "30d",
            description = "Renew when a certificate expires within this long (default: ${DEFAULT-VALUE}).")
    Duration before;

    @Option(names = "--force", description = "Renew whatever the expiry.")
    boolean force;

    @Option(names = "--validity-days", defaultValue = "365", description = "Validity of the renewed certificates "
            + "(default: ${DEFAULT-VALUE}; never past the CA's).")
    int validityDays;

    @Option(names = "--timeout", defaultValue = "5m", description = "How long the proxy may take to serve the renewed "
            + "certificate; the kubelet updates mounted Secrets about once a minute (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        if (inCluster == (context != null)) {
            throw new IllegalArgumentException("give exactly one of --context and --in-cluster");
        }
        if (validityDays < 1) {
            throw new IllegalArgumentException("--validity-days must be at least 1, got " + validityDays);
        }
        String name = inCluster ? "in-cluster" : context;
        try (KubernetesClient k = inCluster ? new KubernetesClientBuilder().build()
                : KubeContexts.client(kubeconfig, context)) {
            String endpoint = inCluster ? ClusterSecrets.inClusterEndpoint(namespace)
                    : ProxyAddresses.endpoint(name, k, namespace, "--context");
            new CertRotation(namespace, timeout, System.out).renew(new CertRotation.Site(name, k, endpoint),
                    Duration.ofDays(validityDays), before, force);
            return 0;
        }
    }
}
