package dev.clustermesh.proxy.export.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.clustermesh.core.keys.PolicyKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestReaderTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: demo
            spec:
              ports:
              - port: 80
            """;

    record Bad(String name, String text, int line, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bad> malformed() {
        return Stream.of(
                new Bad("bad YAML in the second document", SERVICE + "---\nkind: Node\nmetadata:\n  name: [a\n", 12,
                        "invalid YAML"),
                new Bad("a field of the wrong type, line of the field", SERVICE + "---\n" + SERVICE.replace(
                        "port: 80", "port: eighty"), 17, "port"),
                new Bad("a known kind with another apiVersion", "# comment\n\napiVersion: discovery.k8s.io/v1beta1\n"
                        + "kind: EndpointSlice\nmetadata:\n  name: x\n", 3, "only discovery.k8s.io/v1"),
                new Bad("no kind", SERVICE + "---\nmetadata:\n  name: x\n", 10, "no kind"),
                new Bad("no name", "---\napiVersion: v1\nkind: Node\nmetadata: {}\n", 2, "no metadata.name"),
                new Bad("not a mapping", SERVICE + "...\n- a\n- b\n", 10, "must be a mapping"),
                new Bad("a NetworkPolicy of another apiVersion", "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\n"
                        + "metadata:\n  name: p\n", 1, "only networking.k8s.io/v1"),
                new Bad("a CiliumNetworkPolicy of another apiVersion", "apiVersion: cilium.io/v1\n"
                        + "kind: CiliumNetworkPolicy\nmetadata:\n  name: p\n", 1, "only cilium.io/v2"),
                new Bad("a Pod with a field of the wrong type", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
                        + "spec:\n  hostNetwork: [1]\n", 6, "hostNetwork"),
                new Bad("a Namespace without a name", "apiVersion: v1\nkind: Namespace\nmetadata: {}\n", 1,
                        "no metadata.name"),
                new Bad("duplicate key", "apiVersion: v1\nkind: Node\nkind: Node\nmetadata:\n  name: n\n", 3,
                        "Duplicate field"),
                new Bad("a ServiceExport of another apiVersion", "apiVersion: multicluster.x-k8s.io/v2\n"
                        + "kind: ServiceExport\nmetadata:\n  name: web\n", 1,
                        "only multicluster.x-k8s.io/v1beta1 and multicluster.x-k8s.io/v1alpha1 are supported"),
                new Bad("a ServiceExport without a name", "apiVersion: multicluster.x-k8s.io/v1alpha1\n"
                        + "kind: ServiceExport\nmetadata: {}\n", 1, "no metadata.name"),
                new Bad("exportedLabels that are not strings", "apiVersion: multicluster.x-k8s.io/v1alpha1\n"
                        + "kind: ServiceExport\nmetadata: {name: web}\nspec:\n  exportedLabels: {tier: [a]}\n", 1,
                        "ServiceExport web: spec.exportedLabels must map names to strings"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void reportsFileAndLine(Bad c) {
        ManifestException e = catchThrowableOfType(ManifestException.class,
                () -> ManifestReader.read("dir/bad.yaml", c.text()));

        assertThat(e).as("no error for %s", c.name()).isNotNull();
        assertThat(e.error().file()).isEqualTo("dir/bad.yaml");
        assertThat(e.error().message()).contains(c.message());
        assertThat(e.error().line()).as(e.error().toString()).isEqualTo(c.line());
    }

    @Test
    void readsServiceExportsOfBothVersionsWithTheirCreationTime() throws Exception {
        List<HasMetadata> objects = ManifestReader.read("f.yaml", "apiVersion: multicluster.x-k8s.io/v1beta1\n"
                + "kind: ServiceExport\nmetadata:\n  name: web\n  namespace: shop\n"
                + "  creationTimestamp: \"2026-01-01T00:00:01Z\"\n---\napiVersion: multicluster.x-k8s.io/v1alpha1\n"
                + "kind: ServiceExport\nmetadata:\n  name: db\n");
        assertThat(objects).hasSize(2);
        assertThat(KubeObjects.export((io.fabric8.kubernetes.api.model.GenericKubernetesResource) objects.get(0)))
                .isEqualTo(new dev.clustermesh.proxy.export.inventory.ExportObject(
                        new dev.clustermesh.proxy.export.inventory.ObjectRef("shop", "web"), 1_767_225_601_000L));
        assertThat(KubeObjects.export((io.fabric8.kubernetes.api.model.GenericKubernetesResource) objects.get(1)))
                .as("no time: unknown, in default").isEqualTo(new dev.clustermesh.proxy.export.inventory.ExportObject(
                        new dev.clustermesh.proxy.export.inventory.ObjectRef("default", "db"), 0));
    }

    @Test
    void readsMultiDocumentFilesListsAndSkipsOtherKinds() throws Exception {
        String text = SERVICE + """
                ---
                # only a comment
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: skipped
                ---\s
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Node
                  metadata:
                    name: node-a
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata:
                    name: web-a
                  addressType: IPv4
                  endpoints: []
                """;

        List<HasMetadata> objects = ManifestReader.read("f.yaml", text);

        assertThat(objects).extracting(o -> o.getClass().getSimpleName() + " " + o.getMetadata().getName())
                .containsExactly("Service web", "Node node-a", "EndpointSlice web-a");
        assertThat(((Service) objects.get(0)).getSpec().getPorts().get(0).getPort()).isEqualTo(80);
        assertThat(objects.get(1)).isInstanceOf(Node.class);
        assertThat(objects.get(2)).isInstanceOf(EndpointSlice.class);
    }

    @Test
    void readsPodsNamespacesAndBothPolicyKinds() throws Exception {
        String text = """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: demo
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web-1
                status:
                  podIP: 10.0.0.1
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: deny
                spec:
                  podSelector: {}
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: cnp
                  namespace: demo
                  generation: 3
                specs:
                - endpointSelector: {}
                """;

        List<HasMetadata> objects = ManifestReader.read("f.yaml", text);

        assertThat(objects).extracting(o -> o.getKind() + " " + o.getMetadata().getName()).containsExactly(
                "Namespace demo", "Pod web-1", "NetworkPolicy deny", "CiliumNetworkPolicy cnp");
        assertThat(KubeObjects.pod((Pod) objects.get(1)).ips()).containsExactly("10.0.0.1");
        assertThat(KubeObjects.namespace((Namespace) objects.get(0)).labels())
                .containsEntry("kubernetes.io/metadata.name", "demo");
        assertThat(KubeObjects.policy(PolicyKind.NETWORK_POLICY, (GenericKubernetesResource) objects.get(2)).json())
                .isEqualTo("{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\","
                        + "\"metadata\":{\"name\":\"deny\",\"namespace\":\"default\"},\"spec\":{\"podSelector\":{}}}");
        assertThat(KubeObjects.policy(PolicyKind.CILIUM_NETWORK_POLICY, (GenericKubernetesResource) objects.get(3))
                .json()).isEqualTo("{\"apiVersion\":\"cilium.io/v2\",\"kind\":\"CiliumNetworkPolicy\","
                        + "\"metadata\":{\"generation\":3,\"name\":\"cnp\",\"namespace\":\"demo\"},\"spec\":{},"
                        + "\"specs\":[{\"endpointSelector\":{}}]}");
    }

    @Test
    void emptyFilesHoldNothing() throws Exception {
        assertThat(ManifestReader.read("empty.yaml", "")).isEmpty();
        assertThat(ManifestReader.read("dashes.yaml", "---\n---\n# nothing\n")).isEmpty();
    }
}
