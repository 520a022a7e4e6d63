package dev.clustermesh.proxy.export.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.ClusterSelector;
import dev.clustermesh.proto.mesh.v1.PropertyRequirement;
import dev.clustermesh.proxy.export.inventory.ExportObject;
import dev.clustermesh.proxy.export.inventory.PropertyObject;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * ServiceExport.spec.clusterSelectors (KEP-5939) as read from manifests: the KEP's examples parse; every malformed
 * selector is kept as an error naming the field, which makes the export invalid rather than failing the file.
 */
class ClusterSelectorParserTest {
    private static final String HEAD = "apiVersion: multicluster.x-k8s.io/v1beta1\nkind: ServiceExport\n"
            + "metadata:\n  name: api\n  namespace: shop\nspec:\n  clusterSelectors:\n";

    @Test
    void readsTheKepsLocalityTiers() throws Exception {
        ExportObject e = export(HEAD + """
                    - propertySelector:
                        matchExpressions:
                          - key: cluster.clusterset.k8s.io
                            operator: In
                            values: ["@SameAsImporter@"]
                    - propertySelector:
                        matchProperties:
                          region.topology.k8s.io: "@SameAsImporter@"
                    - propertySelector:
                        matchProperties:
                          continent.topology.k8s.io: "@SameAsImporter@"
                          gpu-tier.mycompany.com: high
                        matchExpressions:
                          - {key: gpu-tier.mycompany.com, operator: Exists}
                """);
        assertThat(e.selectorError()).isEmpty();
        assertThat(e.clusterSelectors()).hasSize(3);
        assertThat(e.clusterSelectors().get(0).getMatchExpressionsList()).containsExactly(PropertyRequirement
                .newBuilder().setKey("cluster.clusterset.k8s.io").setOperator("In").addValues("@SameAsImporter@")
                .build());
        assertThat(e.clusterSelectors().get(1).getMatchPropertiesMap())
                .containsExactly(java.util.Map.entry("region.topology.k8s.io", "@SameAsImporter@"));
        ClusterSelector third = e.clusterSelectors().get(2);
        assertThat(third.getMatchPropertiesMap()).hasSize(2);
        assertThat(third.getMatchExpressions(0).getOperator()).isEqualTo("Exists");
    }

    @Test
    void anExportWithoutSelectorsHasNone() throws Exception {
        ExportObject e = export("apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\n"
                + "metadata:\n  name: api\n");
        assertThat(e.clusterSelectors()).isEmpty();
        assertThat(e.selectorError()).isEmpty();
    }

    record Bad(String name, String yaml, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bad> malformed() {
        return Stream.of(
                new Bad("empty propertySelector", "    - propertySelector: {}\n",
                        "spec.clusterSelectors[0].propertySelector is empty"),
                new Bad("no propertySelector", "    - {}\n", "spec.clusterSelectors[0] has no propertySelector"),
                new Bad("another criterion", "    - propertySelector: {matchProperties: {a: b}}\n      cel: x\n",
                        "has field 'cel': only propertySelector is supported"),
                new Bad("unknown operator", "    - propertySelector:\n        matchExpressions:\n"
                        + "          - {key: region, operator: Gt, values: [\"1\"]}\n",
                        "matchExpressions[0].operator is 'Gt'"),
                new Bad("In without values", "    - propertySelector:\n        matchExpressions:\n"
                        + "          - {key: region, operator: In}\n", "operator In needs at least one value"),
                new Bad("Exists with values", "    - propertySelector:\n        matchExpressions:\n"
                        + "          - {key: region, operator: Exists, values: [a]}\n", "operator Exists takes no values"),
                new Bad("a key that is no property name", "    - propertySelector:\n        matchProperties:\n"
                        + "          Region_Name: eu\n", "'Region_Name' is not a ClusterProperty name"),
                new Bad("a value that is no string", "    - propertySelector:\n        matchProperties:\n"
                        + "          tier: 1\n", "matchProperties.tier must be a string"),
                new Bad("not a list", "    propertySelector: {}\n", "spec.clusterSelectors must be a list"),
                new Bad("a misspelt expression field", "    - propertySelector:\n        matchExpressions:\n"
                        + "          - {key: region, operator: Exists, value: [a]}\n",
                        "matchExpressions[0] has unknown field 'value'"),
                new Bad("seventeen entries", "    - propertySelector: {matchProperties: {a: b}}\n".repeat(17),
                        "has 17 entries; at most 16"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void keepsWhatIsWrongAsTheExportsError(Bad c) throws Exception {
        ExportObject e = export(HEAD + c.yaml());
        assertThat(e.clusterSelectors()).isEmpty();
        assertThat(e.selectorError()).as(c.name()).hasValueSatisfying(m -> assertThat(m).contains(c.message()));
    }

    @Test
    void readsClusterPropertiesAndRefusesAnotherApiVersion() throws Exception {
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects = ManifestReader.read("p.yaml", """
                apiVersion: about.k8s.io/v1alpha1
                kind: ClusterProperty
                metadata:
                  name: region.topology.k8s.io
                spec:
                  value: eu-west
                """);
        assertThat(KubeObjects.property((GenericKubernetesResource) objects.get(0)))
                .isEqualTo(new PropertyObject("region.topology.k8s.io", "eu-west"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManifestReader.read("p.yaml",
                "apiVersion: about.k8s.io/v1\nkind: ClusterProperty\nmetadata:\n  name: x\n"))
                .hasMessageContaining("ClusterProperty has apiVersion 'about.k8s.io/v1'; only about.k8s.io/v1alpha1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManifestReader.read("p.yaml",
                "apiVersion: about.k8s.io/v1alpha1\nkind: ClusterProperty\nmetadata:\n  name: x\nspec:\n  value: 1\n"))
                .hasMessageContaining("ClusterProperty x needs spec.value, a non-empty string");
    }

    private static ExportObject export(String yaml) throws Exception {
        return KubeObjects.export((GenericKubernetesResource) ManifestReader.read("e.yaml", yaml).get(0));
    }
}
