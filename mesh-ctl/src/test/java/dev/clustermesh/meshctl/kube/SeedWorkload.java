package dev.clustermesh.meshctl.kube;

import java.nio.file.Path;

/**
 * The seed's workload as shipped in {@code k8s/examples/rebel-base-<cluster>.yaml}: Deployment {@code rebel-base}
 * (2 replicas, each answering with its cluster's name), its Service annotated global, and the {@code x-wing}
 * client, in the shape of Cilium's global-service example. kwok runs the pods (Running and Ready, IPs from the
 * node's pod CIDR); no container starts.
 */
final class SeedWorkload {
    private SeedWorkload() {
    }

    static Path file(Path repo, String cluster) {
        return repo.resolve("k8s/examples/rebel-base-" + cluster + ".yaml");
    }
}
