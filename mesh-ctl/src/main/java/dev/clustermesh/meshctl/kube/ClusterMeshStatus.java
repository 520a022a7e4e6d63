package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeContexts.call;

import dev.clustermesh.core.tls.PemReader;
import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.agent.CertificateWarnings;
import dev.clustermesh.meshctl.agent.Views;
import dev.clustermesh.meshctl.cli.Durations;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.ClusterSecrets;
import dev.clustermesh.meshctl.pki.KubeNames;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code meshctl clustermesh status}: a cluster's mesh as its Kubernetes API shows it (identity, the proxy
 * Service and where other clusters reach it, the workloads' readiness, which clusters its agents are given) and,
 * with an agent address, that agent's own view of every cluster.
 */
final class ClusterMeshStatus {
    private final String namespace;
    private final PrintStream out;
    private final Duration certificateWarning;

    ClusterMeshStatus(String namespace, PrintStream out) {
        this(namespace, CertificateWarnings.DEFAULT_WITHIN, out);
    }

    /** @param certificateWarning warn about certificates that expire within this long */
    ClusterMeshStatus(String namespace, Duration certificateWarning, PrintStream out) {
        this.namespace = namespace;
        this.certificateWarning = certificateWarning;
        this.out = out;
    }

    /** What one look found; {@code problems} empty means ready. */
    record Snapshot(List<String> lines, List<String> problems) {
    }

    /**
     * Prints the status; with {@code wait}, first polls until nothing is missing or {@code timeout} passes.
     *
     * @throws MeshCtlException when ClusterMesh is not enabled, or (with wait) something is still missing
     */
    void run(String context, KubernetesClient k, Optional<AgentClient> agent, boolean wait, Duration timeout,
            PrintStream progress) {
        Instant start = Instant.now();
        Snapshot s = look(context, k, agent);
        String last = "";
        while (wait && !s.problems().isEmpty() && Instant.now().isBefore(start.plus(timeout))) {
            String now = String.join("; ", s.problems());
            if (!now.equals(last)) {
                progress.println("⌛ Waiting (" + Durations.format(Duration.between(start, Instant.now())) + "): "
                        + now);
                last = now;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshCtlException("interrupted while waiting");
            }
            try {
                s = look(context, k, agent);
            } catch (MeshCtlException e) {
                // An API server restarting while we wait is one more thing to wait for, not the end of the wait.
                s = new Snapshot(s.lines(), List.of(e.getMessage()));
            }
        }
        s.lines().forEach(out::println);
        try {
            certificateWarnings(context, k).forEach(w -> out.println("⚠️  " + w));
        } catch (MeshCtlException e) {
            out.println("⚠️  cannot read the mesh's certificates: " + e.getMessage());
        }
        if (!s.problems().isEmpty()) {
            if (wait) {
                throw new MeshCtlException("ClusterMesh in context " + context + " is not ready after "
                        + Durations.format(timeout) + ": " + String.join("; ", s.problems()));
            }
            out.println("⚠️  Not ready: " + String.join("; ", s.problems()));
        } else {
            out.println("✅ ClusterMesh ready in context " + context);
        }
    }

    Snapshot look(String context, KubernetesClient k, Optional<AgentClient> agent) {
        ClusterMeshOps.Record r = new ClusterMeshOps(namespace, out).record(context, k).orElseThrow(() ->
                new MeshCtlException("context " + context + ": ClusterMesh is not enabled (no ConfigMap "
                        + KubeNames.CLUSTER_CONFIG + " in " + namespace + "); run 'meshctl clustermesh enable'"));
        List<String> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        lines.add("Cluster:        " + r.self());
        proxy(context, k, lines, problems);
        Secret secret = call(context, () -> k.secrets().inNamespace(namespace).withName(KubeNames.CLUSTERS_SECRET)
                .get());
        Set<String> entries = secret == null || secret.getData() == null ? Set.of() : secret.getData().keySet();
        lines.add("Connected to:   " + (r.members().isEmpty() ? "no other cluster" : String.join(", ",
                r.members().entrySet().stream().map(e -> e.getKey() + " (id " + e.getValue() + ")").toList())));
        for (String member : r.members().keySet()) {
            if (!entries.contains(member)) {
                problems.add("the agents' Secret " + KubeNames.CLUSTERS_SECRET + " has no entry for " + member);
            }
        }
        DaemonSet agents = call(context, () -> k.apps().daemonSets().inNamespace(namespace).withName("mesh-agent")
                .get());
        if (agents == null || agents.getStatus() == null) {
            problems.add("no DaemonSet mesh-agent (apply the overlay)");
        } else {
            int want = nz(agents.getStatus().getDesiredNumberScheduled());
            int ready = nz(agents.getStatus().getNumberReady());
            lines.add("Agents:         DaemonSet mesh-agent " + ready + "/" + want + " ready");
            if (want == 0 || ready < want) {
                problems.add("mesh-agent " + ready + "/" + want + " ready");
            }
        }
        agent.ifPresent(a -> agentView(a, r, lines, problems));
        return new Snapshot(lines, problems);
    }

    /** The certificates in this cluster's mesh Secrets that expire within the warning time, one line each. */
    List<String> certificateWarnings(String context, KubernetesClient k) {
        Instant now = Instant.now();
        Map<String, String> seen = new LinkedHashMap<>();
        for (String name : List.of(KubeNames.CA_SECRET, KubeNames.PROXY_TLS_SECRET, KubeNames.CLUSTERS_SECRET)) {
            Secret secret = call(context, () -> k.secrets().inNamespace(namespace).withName(name).get());
            if (secret == null || secret.getData() == null) {
                continue;
            }
            for (String key : new TreeSet<>(secret.getData().keySet())) {
                if (!key.endsWith(".crt")) {
                    continue;
                }
                String pem = ClusterSecrets.decode(secret, key);
                List<X509Certificate> certs;
                try {
                    certs = PemReader.certificates(pem.getBytes(StandardCharsets.US_ASCII), "Secret " + name + " " + key);
                } catch (PemReader.InvalidPem e) {
                    seen.putIfAbsent(name + "/" + key, e.getMessage());
                    continue;
                }
                for (X509Certificate c : certs) {
                    Instant end = c.getNotAfter().toInstant();
                    if (end.isAfter(now.plus(certificateWarning))) {
                        continue;
                    }
                    String id = c.getIssuerX500Principal().getName() + "/" + c.getSerialNumber().toString(16);
                    seen.putIfAbsent(id, "certificate " + c.getSubjectX500Principal().getName() + " (serial "
                            + c.getSerialNumber().toString(16) + ") in Secret " + name + " (" + key + ") "
                            + CertificateWarnings.expiry(end, now));
                }
            }
        }
        return List.copyOf(seen.values());
    }

    private void proxy(String context, KubernetesClient k, List<String> lines, List<String> problems) {
        String endpoint;
        try {
            endpoint = ProxyAddresses.endpoint(context, k, namespace, "--destination-endpoint");
        } catch (MeshCtlException e) {
            endpoint = "not reachable from other clusters: " + e.getMessage();
            problems.add("proxy Service: " + e.getMessage());
        }
        Deployment d = call(context, () -> k.apps().deployments().inNamespace(namespace).withName("mesh-proxy").get());
        int ready = d == null || d.getStatus() == null ? 0 : nz(d.getStatus().getReadyReplicas());
        int want = d == null || d.getSpec() == null ? 0 : nz(d.getSpec().getReplicas());
        lines.add("Proxy:          Deployment mesh-proxy " + ready + "/" + want + " ready; other clusters dial "
                + endpoint);
        if (ready == 0) {
            problems.add("no mesh-proxy replica ready");
        }
    }

    private void agentView(AgentClient a, ClusterMeshOps.Record r, List<String> lines, List<String> problems) {
        GetStatusResponse s;
        try {
            s = a.status();
        } catch (MeshCtlException e) {
            problems.add("agent " + a.address() + ": " + e.getMessage());
            return;
        }
        lines.add("Agent " + a.address() + ":");
        s.getClustersList().forEach(c -> lines.add("  " + c.getName() + ": " + (c.getReady() ? "ready"
                : c.getConnected() ? "syncing" : "disconnected" + (c.getLastFailure().isEmpty() ? ""
                        : " (" + c.getLastFailure() + ")"))));
        TreeSet<String> want = new TreeSet<>(r.members().keySet());
        want.add(r.self().name());
        s.getClustersList().forEach(c -> want.remove(c.getName()));
        want.forEach(m -> problems.add("agent " + a.address() + " has not picked up " + m + " yet"));
        if (!Views.ready(s)) {
            Views.problems(s).forEach(p -> problems.add("agent " + a.address() + ": " + p));
        }
        CertificateWarnings.of(s, certificateWarning, Instant.now())
                .forEach(w -> lines.add("  ⚠️  " + w + " (as the agent uses it)"));
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
