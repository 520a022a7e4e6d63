package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeContexts.call;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster's name and ID when {@code enable} is not given them, as {@code cilium clustermesh enable} takes them
 * from the installed agent: the cluster's existing record, else the applied overlay's mesh-proxy environment
 * ({@code MESH_CLUSTER_NAME}, {@code MESH_CLUSTER_ID}, from its ConfigMap or its own env).
 */
final class ClusterIdentities {
    private ClusterIdentities() {
    }

    /**
     * The identity to enable: the flags where given, else the cluster's record, else the applied overlay. When the
     * overlay's mesh-proxy is there, what is enabled must be what it runs as: a record and clusters Secret naming
     * one cluster while the exporter writes as another would make the agents take their own cluster for a remote.
     *
     * @param name the name given on the command line, or null
     * @param id   the ID given on the command line, or null
     * @throws MeshCtlException when nothing names the cluster, or the flags disagree with the applied overlay
     */
    static ClusterIdentity resolve(String context, KubernetesClient k, String namespace, ClusterMeshOps ops,
            String name, Integer id) {
        Optional<ClusterMeshOps.Record> record = ops.record(context, k);
        Optional<ClusterIdentity> overlay = overlay(context, k, namespace);
        String n = name != null ? name : record.map(r -> r.self().name())
                .orElse(overlay.map(ClusterIdentity::name).orElse(null));
        Integer i = id != null ? id : record.map(r -> r.self().id()).orElse(overlay.map(ClusterIdentity::id).orElse(null));
        if (n == null || i == null) {
            throw new MeshCtlException("context " + context + ": give --cluster-name and --cluster-id, or apply the "
                    + "cluster's overlay first (kubectl apply -k k8s/overlays/<cluster>): no Deployment mesh-proxy "
                    + "in " + namespace + " sets MESH_CLUSTER_NAME and MESH_CLUSTER_ID");
        }
        ClusterIdentity.nameProblem(n).ifPresent(p -> {
            throw new MeshCtlException("context " + context + ": cluster name: " + p);
        });
        ClusterIdentity.idProblem(i).ifPresent(p -> {
            throw new MeshCtlException("context " + context + ": cluster ID: " + p);
        });
        ClusterIdentity chosen = new ClusterIdentity(n, i);
        overlay.filter(o -> !o.equals(chosen)).ifPresent(o -> {
            throw new MeshCtlException("context " + context + ": the applied overlay's mesh-proxy runs as " + o
                    + " (MESH_CLUSTER_NAME/MESH_CLUSTER_ID), not " + chosen + "; enable it as " + o
                    + " or apply the overlay of " + chosen.name());
        });
        return chosen;
    }

    /** The identity the applied overlay's mesh-proxy runs as, when it sets both values. */
    private static Optional<ClusterIdentity> overlay(String context, KubernetesClient k, String namespace) {
        Map<String, String> env = proxyEnvironment(context, k, namespace);
        String n = env.get("MESH_CLUSTER_NAME");
        String i = env.get("MESH_CLUSTER_ID");
        if (n == null || n.isBlank() || i == null || i.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ClusterIdentity(n.trim(), ClusterIdentity.parseId("MESH_CLUSTER_ID", i.trim())));
        } catch (IllegalArgumentException e) {
            throw new MeshCtlException("context " + context + ": the applied overlay's mesh-proxy: " + e.getMessage(),
                    e);
        }
    }

    private static Map<String, String> proxyEnvironment(String context, KubernetesClient k, String namespace) {
        Deployment d = call(context, () -> k.apps().deployments().inNamespace(namespace).withName("mesh-proxy").get());
        Map<String, String> env = new HashMap<>();
        if (d == null || d.getSpec() == null) {
            return env;
        }
        for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    ConfigMap cm = call(context, () -> k.configMaps().inNamespace(namespace)
                            .withName(from.getConfigMapRef().getName()).get());
                    if (cm != null && cm.getData() != null) {
                        env.putAll(cm.getData());
                    }
                }
            }
            for (EnvVar v : c.getEnv()) {
                if (v.getValue() != null) {
                    env.put(v.getName(), v.getValue());
                }
            }
        }
        return env;
    }
}
