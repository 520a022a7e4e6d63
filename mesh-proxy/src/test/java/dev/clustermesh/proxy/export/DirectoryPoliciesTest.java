package dev.clustermesh.proxy.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies in a manifest directory: both kinds become JSON documents of the agreed shape. */
class DirectoryPoliciesTest {
    private static final String CNP = "mesh/v1/local/policies/cluster1/ciliumnetworkpolicy/default/allow-cross-cluster";
    private static final String NP = "mesh/v1/local/policies/cluster1/networkpolicy/demo/web-from-db";

    @TempDir
    Path dir;

    @Test
    void bothPolicyKindsAreExportedAsJsonDocuments() throws Exception {
        Manifests.copy(dir, "policies.yaml");
        Files.copy(Path.of(getClass().getClassLoader().getResource("cilium/cnp.yaml").toURI()), dir.resolve("cnp.yaml"));
        ClusterConfig config = Manifests.settings("x", Duration.ofSeconds(5), Duration.ofSeconds(1)).clusterConfig();

        DesiredState d = Manifests.expected(config, dir);

        assertThat(d.documents()).containsOnlyKeys(CNP, NP);
        assertThat(d.counts().get(ResourceKind.POLICIES)).isEqualTo(2);
        JsonNode np = JsonMapper.builder().build().readTree(d.documents().get(NP));
        assertThat(np.path("metadata").path("labels").path("owner").asText()).isEqualTo("blue");
        assertThat(np.path("spec").path("ingress").get(0).path("ports").get(0).path("port").asText()).isEqualTo("http");
        JsonNode cnp = JsonMapper.builder().build().readTree(d.documents().get(CNP));
        assertThat(cnp.path("kind").asText()).isEqualTo("CiliumNetworkPolicy");
        assertThat(cnp.path("metadata").path("namespace").asText()).as("no namespace means default")
                .isEqualTo("default");
        assertThat(cnp.path("spec").path("endpointSelector").path("matchLabels").path("name").asText())
                .isEqualTo("rebel-base");
        assertThat(d.values()).as("policies are no protobuf values").doesNotContainKeys(CNP, NP);
    }
}
