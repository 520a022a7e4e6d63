package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Renders a demo cluster's manifest directory, which its mesh-proxy exports: the node, the {@code default}
 * namespace, and the seed's example — {@code rebel-base}, a global service whose EndpointSlice lists one ready
 * endpoint per replica, and {@code x-wing}, its clients — with one running Pod per replica (labels
 * {@code name: rebel-base} and {@code name: x-wing}, as in Cilium's example), so network policy sees the demo's
 * pods. Files are replaced atomically, as an editor would, so the proxy never reads half a file. The demo's own
 * files sort after those of {@link AppliedManifests} ({@code applied_…}): where both hold the same object, the
 * proxy exports the applied one.
 */
public final class DemoManifests {
    private DemoManifests() {
    }

    /** Writes every manifest of cluster {@code c} from the state's replicas and annotations. */
    public static void write(Path manifests, int i, DemoState.Cluster c) {
        replace(manifests, "nodes.yaml", node(i));
        replace(manifests, "namespaces.yaml", namespace());
        int rebels = c.replicas().getOrDefault(DemoLayout.SERVICE, 0);
        replace(manifests, DemoLayout.SERVICE + ".yaml", rebelBase(i, rebels, c.annotations())
                + pods(i, DemoLayout.SERVICE, rebels));
        int clients = c.replicas().getOrDefault(DemoLayout.CLIENT, 0);
        replace(manifests, DemoLayout.CLIENT + ".yaml", deployment(DemoLayout.CLIENT, clients)
                + pods(i, DemoLayout.CLIENT, clients));
    }

    /** The pods' namespace with the label the API server gives every namespace. */
    static String namespace() {
        return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + DemoLayout.NAMESPACE + "\n  labels:\n"
                + "    kubernetes.io/metadata.name: " + DemoLayout.NAMESPACE + "\n";
    }

    /**
     * Running pods 1..{@code replicas} of a deployment on the cluster's node, each a {@code ---} document with the
     * deployment's {@code name} label and the pod's demo address; rebel-base's name port 80 {@code http}.
     */
    static String pods(int i, String deployment, int replicas) {
        StringBuilder y = new StringBuilder();
        for (int k = 1; k <= replicas; k++) {
            String ip = DemoLayout.podIp(i, deployment, k);
            y.append("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ").append(DemoLayout.podName(deployment, k))
                    .append("\n  namespace: ").append(DemoLayout.NAMESPACE).append("\n  labels:\n    name: ")
                    .append(deployment).append("\nspec:\n  nodeName: ").append(DemoLayout.nodeName(i))
                    .append("\n  containers:\n  - name: ").append(deployment).append('\n');
            if (DemoLayout.SERVICE.equals(deployment)) {
                y.append("    ports:\n    - name: http\n      containerPort: 80\n      protocol: TCP\n");
            }
            y.append("status:\n  phase: Running\n  podIP: ").append(ip).append("\n  podIPs:\n  - ip: ").append(ip)
                    .append('\n');
        }
        return y.toString();
    }

    static String node(int i) {
        return "apiVersion: v1\nkind: Node\nmetadata:\n  name: " + DemoLayout.nodeName(i) + "\nspec:\n  podCIDR: "
                + DemoLayout.nodePodCidr(i) + "\n  podCIDRs:\n  - " + DemoLayout.nodePodCidr(i)
                + "\nstatus:\n  addresses:\n  - type: InternalIP\n    address: " + DemoLayout.nodeIp(i)
                + "\n  - type: Hostname\n    address: " + DemoLayout.nodeName(i) + "\n";
    }

    static String rebelBase(int i, int replicas, Map<String, String> annotations) {
        StringBuilder y = new StringBuilder();
        y.append("apiVersion: v1\nkind: Service\nmetadata:\n  name: ").append(DemoLayout.SERVICE)
                .append("\n  namespace: ").append(DemoLayout.NAMESPACE).append("\n  annotations:\n")
                .append("    service.cilium.io/global: \"true\"\n");
        annotations.forEach((k, v) -> {
            if (!"service.cilium.io/global".equals(k)) {
                y.append("    ").append(k).append(": \"").append(v.replace("\"", "\\\"")).append("\"\n");
            }
        });
        y.append("spec:\n  type: ClusterIP\n  clusterIP: ").append(DemoLayout.clusterIp(i))
                .append("\n  clusterIPs:\n  - ").append(DemoLayout.clusterIp(i))
                .append("\n  selector:\n    name: rebel-base\n  ports:\n  - name: http\n    port: 80\n")
                .append("    protocol: TCP\n    targetPort: 80\n");
        y.append("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ")
                .append(DemoLayout.SERVICE).append("-demo\n  namespace: ").append(DemoLayout.NAMESPACE)
                .append("\n  labels:\n    kubernetes.io/service-name: ").append(DemoLayout.SERVICE)
                .append("\naddressType: IPv4\nports:\n- name: http\n  port: 80\n  protocol: TCP\n");
        if (replicas == 0) {
            y.append("endpoints: []\n");
        } else {
            y.append("endpoints:\n");
            for (int k = 1; k <= replicas; k++) {
                String pod = DemoLayout.podName(DemoLayout.SERVICE, k);
                y.append("- addresses: [\"").append(DemoLayout.podIp(i, DemoLayout.SERVICE, k)).append("\"]\n")
                        .append("  conditions: {ready: true, serving: true, terminating: false}\n")
                        .append("  hostname: ").append(pod).append("\n  nodeName: ").append(DemoLayout.nodeName(i))
                        .append("\n  targetRef: {kind: Pod, namespace: ").append(DemoLayout.NAMESPACE)
                        .append(", name: ").append(pod).append("}\n");
            }
        }
        y.append("---\n").append(deployment(DemoLayout.SERVICE, replicas));
        return y.toString();
    }

    static String deployment(String name, int replicas) {
        return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n  namespace: "
                + DemoLayout.NAMESPACE + "\nspec:\n  replicas: " + replicas + "\n  selector:\n    matchLabels:\n"
                + "      name: " + name + "\n  template:\n    metadata:\n      labels:\n        name: " + name + "\n";
    }

    /**
     * Writes {@code yaml} as {@code dir/file} through a hidden temporary file beside {@code dir} and a rename.
     *
     * @throws MeshCtlException naming the file when it cannot be written
     */
    static void replace(Path dir, String file, String yaml) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolveSibling("." + file + ".tmp");
            Files.writeString(tmp, yaml);
            Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }
}
