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
     * @param name the name given on the command line, or null
     * @param id   the ID given on the command line, or null
     * @throws MeshCtlException when neither the record nor the overlay names the cluster
     */
    static ClusterIdentity resolve(String context, KubernetesClient k, String namespace, ClusterMeshOps ops,
            String name, Integer id) {
        Optional<ClusterMeshOps.Record> record = ops.record(context, k);
        Map<String, String> env = record.isPresent() ? Map.of() : proxyEnvironment(context, k, namespace);
        String n = name != null ? name : record.map(r -> r.self().name()).orElse(env.get("MESH_CLUSTER_NAME"));
        String i = id != null ? id.toString()
                : record.map(r -> Integer.toString(r.self().id())).orElse(env.get("MESH_CLUSTER_ID"));
        if (n == null || n.isBlank() || i == null || i.isBlank()) {
            throw new MeshCtlException("context " + context + ": give --cluster-name and --cluster-id, or apply the "
                    + "cluster's overlay first (kubectl apply -k k8s/overlays/<cluster>): no Deployment mesh-proxy "
                    + "in " + namespace + " sets MESH_CLUSTER_NAME and MESH_CLUSTER_ID");
        }
        ClusterIdentity.nameProblem(n).ifPresent(p -> {
            throw new MeshCtlException("context " + context + ": MESH_CLUSTER_NAME: " + p);
        });
        int parsed;
        try {
            parsed = ClusterIdentity.parseId("MESH_CLUSTER_ID", i.trim());
        } catch (IllegalArgumentException e) {
            throw new MeshCtlException("context " + context + ": " + e.getMessage(), e);
        }
        return new ClusterIdentity(n, parsed);
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
