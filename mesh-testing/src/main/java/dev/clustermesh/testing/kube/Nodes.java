package dev.clustermesh.testing.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Node objects kwok simulates: annotated for kwok, InternalIP from the spec, no taints (as the seed). */
final class Nodes {
    private Nodes() {
    }

    static Path write(Path file, ClusterSpec spec) {
        StringBuilder y = new StringBuilder();
        for (ClusterSpec.NodeSpec n : spec.nodes()) {
            y.append("---\napiVersion: v1\nkind: Node\nmetadata:\n  name: ").append(n.name())
                    .append("\n  annotations:\n    kwok.x-k8s.io/node: fake\n    node.alpha.kubernetes.io/ttl: \"0\"\n")
                    .append("  labels:\n    kubernetes.io/hostname: ").append(n.name())
                    .append("\n    kubernetes.io/os: linux\n    kubernetes.io/arch: amd64\n    type: kwok\n");
            if (n.controlPlane()) {
                y.append("    node-role.kubernetes.io/control-plane: \"\"\n");
            }
            y.append("status:\n  addresses:\n  - type: InternalIP\n    address: ").append(n.ip())
                    .append("\n  - type: Hostname\n    address: ").append(n.name()).append('\n')
                    .append("  allocatable:\n    cpu: \"32\"\n    memory: 256Gi\n    pods: \"110\"\n")
                    .append("  capacity:\n    cpu: \"32\"\n    memory: 256Gi\n    pods: \"110\"\n");
        }
        try {
            return Files.writeString(file, y.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
