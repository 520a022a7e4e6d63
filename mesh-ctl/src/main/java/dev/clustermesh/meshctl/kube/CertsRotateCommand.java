package dev.clustermesh.meshctl.kube;

import dev.clustermesh.meshctl.pki.KubeNames;
import dev.clustermesh.meshctl.pki.MeshPki;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshctl certs rotate}: a CA rollover of the whole mesh through the Kubernetes API, without restarts. */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = "Roll every cluster of the mesh over to a new CA and new certificates without restarting a "
                + "pod: trust bundle, new leaves, old CA dropped, each step confirmed by every proxy. Give every "
                + "cluster of the mesh with --context.")
public final class CertsRotateCommand implements Runnable {
    @Option(names = "--kubeconfig", description = "kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", required = true, description = "kubeconfig context of a cluster of the mesh "
            + "(repeatable: every cluster).")
    List<String> contexts = new ArrayList<>();

    @Option(names = "--namespace", defaultValue = KubeNames.NAMESPACE,
            description = "Namespace of the mesh (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--ca-dir", defaultValue = "clustermesh-pki", description = "The mesh's CA directory: it gets "
            + "the new CA at the end, the old one moves to previous-<time>/ (default: ${DEFAULT-VALUE}).")
    Path caDir;

    @Option(names = "--validity-days", defaultValue = "365", description = "Validity of the new CA and certificates "
            + "(default: ${DEFAULT-VALUE}).")
    int validityDays;

    @Option(names = "--timeout", defaultValue = "5m", description = "How long each step may take to be confirmed; "
            + "the kubelet updates mounted Secrets about once a minute (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--settle", defaultValue = "2m", description = "After each step is confirmed through the proxy "
            + "Service, how long to wait for every pod's mounted Secrets to follow (kubelet sync), unless --agent names "
            + "the agents to ask instead (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--agent", description = "host:port of an agent API whose status must show each step before the "
            + "next (repeatable; e.g. through kubectl port-forward).")
    List<String> agents = new ArrayList<>();

    @Override
    public void run() {
        if (validityDays < 1) {
            throw new IllegalArgumentException("--validity-days must be at least 1, got " + validityDays);
        }
        if (new LinkedHashSet<>(contexts).size() != contexts.size()) {
            throw new IllegalArgumentException("--context names a cluster twice: " + String.join(", ", contexts));
        }
        MeshPki.loadCa(caDir);
        List<KubernetesClient> clients = new ArrayList<>();
        try {
            List<CertRotation.Site> sites = new ArrayList<>();
            for (String c : contexts) {
                KubernetesClient k = KubeContexts.client(kubeconfig, c);
                clients.add(k);
                sites.add(new CertRotation.Site(c, k, ProxyAddresses.endpoint(c, k, namespace, "--context")));
            }
            new CertRotation(namespace, timeout, settle, agents, System.out).run(sites, caDir,
                    Duration.ofDays(validityDays));
        } finally {
            clients.forEach(KubernetesClient::close);
        }
    }
}
