package dev.clustermesh.meshctl.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AppliedManifestsTest {
    private static final String CNP = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n"
            + "  name: rebel-base-policy\nspec:\n  endpointSelector: {matchLabels: {name: rebel-base}}\n";
    private static final String POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n  namespace: empire\n"
            + "  labels: {name: tie-fighter}\nstatus: {podIP: 10.20.1.200}\n";

    record Good(String name, String yaml, List<String> files) {
    }

    static Stream<Good> good() {
        return Stream.of(
                new Good("policy without namespace is in default", CNP,
                        List.of("applied_ciliumnetworkpolicy_default_rebel-base-policy.yaml")),
                new Good("multi-document with an empty one", "---\n" + POD + "---\n---\napiVersion: v1\n"
                        + "kind: Namespace\nmetadata: {name: empire, labels: {side: dark}}\n",
                        List.of("applied_pod_empire_probe.yaml", "applied_namespace__empire.yaml")),
                new Good("a List", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n"
                        + "  kind: NetworkPolicy\n  metadata: {name: deny-all}\n  spec: {podSelector: {}}\n",
                        List.of("applied_networkpolicy_default_deny-all.yaml")),
                new Good("JSON is YAML", "{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": "
                        + "\"s\"}}", List.of("applied_service_default_s.yaml")),
                new Good("the demo's own pods pass the same checks",
                        DemoManifests.pods(2, DemoLayout.SERVICE, 2) + DemoManifests.pods(2, DemoLayout.CLIENT, 1)
                        + "---\n" + DemoManifests.namespace(),
                        List.of("applied_pod_default_rebel-base-1.yaml", "applied_pod_default_rebel-base-2.yaml",
                                "applied_pod_default_x-wing-1.yaml", "applied_namespace__default.yaml")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("good")
    void readsWhatTheProxyExports(Good c) {
        assertThat(AppliedManifests.parse("f.yaml", c.yaml())).extracting(AppliedManifests.AppliedObject::fileName)
                .containsExactlyElementsOf(c.files());
    }

    record Bad(String name, String yaml, String error) {
    }

    static Stream<Bad> bad() {
        return Stream.of(
                new Bad("not YAML", "kind: Pod\n  metadata: [\n", "f.yaml line 2: not valid YAML"),
                new Bad("duplicate key", "kind: Pod\nkind: Service\n",
                        "f.yaml line 2: not valid YAML: Duplicate field 'kind'"),
                new Bad("a list document", "- a\n- b\n",
                        "f.yaml, document 1: a manifest must be a mapping, found ARRAY"),
                new Bad("no kind", POD + "---\nmetadata: {name: x}\n", "f.yaml, document 2: has no kind"),
                new Bad("kind not read", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
                        "f.yaml, document 1: kind Deployment is not read by the demo's mesh-proxy (it reads Service, "
                        + "EndpointSlice, Node, Pod, Namespace, NetworkPolicy, CiliumNetworkPolicy, ServiceExport, ClusterProperty)"),
                new Bad("ServiceExport of another API", "apiVersion: multicluster.x-k8s.io/v2\nkind: ServiceExport\n"
                        + "metadata: {name: x}\n", "ServiceExport has apiVersion 'multicluster.x-k8s.io/v2'; only "
                        + "multicluster.x-k8s.io/v1beta1 and multicluster.x-k8s.io/v1alpha1 are supported"),
                new Bad("other apiVersion", CNP.replace("cilium.io/v2", "cilium.io/v1"),
                        "CiliumNetworkPolicy has apiVersion 'cilium.io/v1'; only cilium.io/v2 is supported"),
                new Bad("no name", "apiVersion: v1\nkind: Pod\nmetadata: {namespace: default}\n",
                        "f.yaml, document 1: Pod has no metadata.name"),
                new Bad("a name that is a path", CNP.replace("rebel-base-policy", "../../etc"),
                        "metadata.name '../../etc' is not a valid name"),
                new Bad("bad namespace", POD.replace("empire", "Empire_1"), "metadata.namespace 'Empire_1'"),
                new Bad("wrong field type", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 3}\n",
                        "f.yaml, document 1: Pod does not parse"),
                new Bad("twice", CNP + "---\n" + CNP.replace("metadata:\n", "metadata:\n  namespace: default\n"),
                        "f.yaml, document 2: CiliumNetworkPolicy default/rebel-base-policy appears twice"),
                new Bad("nothing", "# only a comment\n", "f.yaml holds no objects"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void refusesWithTheFileDocumentAndField(Bad c) {
        assertThatThrownBy(() -> AppliedManifests.parse("f.yaml", c.yaml())).isInstanceOf(MeshCtlException.class)
                .hasMessageContaining(c.error());
    }

    @Test
    void replacesByKindNamespaceAndNameAndRemoves(@TempDir Path dir) throws IOException {
        AppliedManifests.AppliedObject first = AppliedManifests.parse("a.yaml", CNP).get(0);
        AppliedManifests.AppliedObject second = AppliedManifests.parse("b.yaml", CNP.replace("rebel-base}",
                "x-wing}")).get(0);
        assertThat(AppliedManifests.write(dir, first, "a.yaml")).isEqualTo("created");
        assertThat(AppliedManifests.write(dir, first, "a.yaml")).isEqualTo("unchanged");
        assertThat(AppliedManifests.write(dir, second, "a.yaml")).isEqualTo("configured");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(first.fileName());
        }
        assertThat(Files.readString(dir.resolve(first.fileName()))).contains("name: x-wing").doesNotContain("---");
        assertThat(first.display()).isEqualTo("ciliumnetworkpolicy.cilium.io/rebel-base-policy");
        AppliedManifests.remove(dir, first);
        assertThat(AppliedManifests.exists(dir, first)).isFalse();
    }

    @Test
    void demoPodsFollowTheReplicas() {
        Map<String, Integer> replicas = Map.of(DemoLayout.SERVICE, 3, DemoLayout.CLIENT, 0);
        String rebels = DemoManifests.pods(1, DemoLayout.SERVICE, replicas.get(DemoLayout.SERVICE));
        assertThat(AppliedManifests.parse("p", rebels)).extracting(AppliedManifests.AppliedObject::name)
                .containsExactly("rebel-base-1", "rebel-base-2", "rebel-base-3");
        assertThat(rebels).contains("podIP: 10.10.1.13", "nodeName: cluster1-node1", "name: rebel-base",
                "phase: Running");
        assertThat(DemoManifests.pods(1, DemoLayout.CLIENT, 0)).isEmpty();
        assertThat(DemoManifests.pods(2, DemoLayout.CLIENT, 1)).contains("podIP: 10.20.1.101", "name: x-wing");
    }
}
