package dev.clustermesh.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Across overlays: one overlay per cluster, no two clusters alike; and what an operator overrides works. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MeshOverlaysIT {

    @Test
    void everyOverlayIsACheckedCluster() {
        assertThat(Repo.overlays()).extracting(p -> p.getFileName().toString())
                .as("overlays under k8s/overlays (add a new one to Overlays.CLUSTER_IDS)")
                .containsExactlyInAnyOrderElementsOf(Overlays.CLUSTER_IDS.keySet());
    }

    @Test
    void noTwoOverlaysShareAClusterNameOrId() {
        Map<String, String> nameById = new HashMap<>();
        for (String overlay : Overlays.names().toList()) {
            Map<String, String> identity = identity(Overlays.render(overlay));
            String id = identity.get("MESH_CLUSTER_ID");
            assertThat(Integer.parseInt(id)).as("%s: cluster ID", overlay).isBetween(1, 255);
            assertThat(identity.get("MESH_CLUSTER_NAME")).as("%s: cluster name", overlay)
                    .matches("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?");
            String other = nameById.putIfAbsent(id, overlay);
            assertThat(other).as("cluster ID %s of %s is also %s's", id, overlay, other).isNull();
        }
        assertThat(nameById).hasSize(Overlays.CLUSTER_IDS.size());
    }

    @Test
    void imagesAreOverriddenWithKustomizeImages(@TempDir Path dir) throws IOException {
        Path overlay = Repo.k8s().resolve("overlays/cluster1");
        StringBuilder k = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
                .append("bases:\n  - ").append(dir.relativize(overlay)).append("\nimages:\n");
        Overlays.workloads().forEach(w -> k.append("  - name: ").append(Overlays.IMAGE_REPOSITORY).append(w.name())
                .append("\n    newName: registry.example/mesh/").append(w.name()).append("\n    newTag: 9.9.9\n"));
        Files.writeString(dir.resolve("kustomization.yaml"), k);

        Rendered r = Kustomize.render(dir);
        for (Overlays.Workload w : Overlays.workloads().toList()) {
            assertThat(r.podTemplate(w.name()).getSpec().getContainers()).extracting(Container::getImage)
                    .as("image of %s", w.name()).containsOnly("registry.example/mesh/" + w.name() + ":9.9.9");
        }
    }

    private static Map<String, String> identity(Rendered r) {
        Container proxy = r.container(Overlays.PROXY.name());
        String configMap = proxy.getEnvFrom().get(0).getConfigMapRef().getName();
        return r.one(ConfigMap.class, configMap).getData();
    }
}
