package dev.clustermesh.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IdentityLabelsTest {

    record Case(String name, Map<String, String> pod, Map<String, String> namespace, IdentityLabelFilter filter,
            Map<String, String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Map<String, String> base = Map.of("io.kubernetes.pod.namespace", "demo", "io.cilium.k8s.policy.cluster", "c1",
                "io.cilium.k8s.policy.serviceaccount", "sa");
        return Stream.of(
                new Case("no labels", Map.of(), Map.of(), IdentityLabelFilter.DEFAULT, base),
                new Case("replica labels are left out by default",
                        Map.of("app", "web", "pod-template-hash", "5d8f", "controller-revision-hash", "abc",
                                "statefulset.kubernetes.io/pod-name", "web-0", "batch.kubernetes.io/job-name", "j",
                                "job-name", "j", "controller-uid", "u"),
                        Map.of(), IdentityLabelFilter.DEFAULT, with(base, Map.of("app", "web"))),
                new Case("namespace labels get the namespace prefix",
                        Map.of("app", "web"), Map.of("kubernetes.io/metadata.name", "demo", "team", "blue"),
                        IdentityLabelFilter.DEFAULT, with(base, Map.of("app", "web",
                                "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", "demo",
                                "io.cilium.k8s.namespace.labels.team", "blue"))),
                new Case("a pod cannot set the mesh's own labels",
                        Map.of("io.cilium.k8s.policy.cluster", "c9", "io.kubernetes.pod.namespace", "x",
                                "io.cilium.k8s.namespace.labels.team", "red"),
                        Map.of(), IdentityLabelFilter.DEFAULT, base),
                new Case("a configured filter applies to pod and namespace labels",
                        Map.of("app", "web", "version", "v2"), Map.of("version", "x", "team", "blue"),
                        IdentityLabelFilter.of(List.of("vers.*")),
                        with(base, Map.of("app", "web", "io.cilium.k8s.namespace.labels.team", "blue"))),
                new Case("an empty filter keeps everything",
                        Map.of("pod-template-hash", "5d8f"), Map.of(), IdentityLabelFilter.of(List.of()),
                        with(base, Map.of("pod-template-hash", "5d8f"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void computesIdentityLabels(Case c) {
        assertThat(IdentityLabels.of("c1", "demo", "sa", c.pod(), c.namespace(), c.filter()))
                .containsExactlyInAnyOrderEntriesOf(c.expected());
    }

    @Test
    void filtersCompareByPatternsAndDigest() {
        IdentityLabelFilter a = IdentityLabelFilter.of(List.of("a", "b"));
        assertThat(a).isEqualTo(IdentityLabelFilter.of(List.of("a", "b")));
        assertThat(a.digest()).isEqualTo(IdentityLabelFilter.of(List.of("a", "b")).digest()).hasSize(64)
                .isNotEqualTo(IdentityLabelFilter.of(List.of("b", "a")).digest())
                .isNotEqualTo(IdentityLabelFilter.of(List.of("ab")).digest());
        assertThat(a.toProto().getExcludeList()).containsExactly("a", "b");
        assertThat(a.toProto().getDigest()).isEqualTo(a.digest());
        assertThatThrownBy(() -> IdentityLabelFilter.of(List.of("ok", "("))).hasMessageContaining("'('");
    }

    @Test
    void numericIdentitiesCarryTheClusterIdInTheHighBits() {
        assertThat(NumericIdentity.of(2, 7)).isEqualTo(131079);
        assertThat(NumericIdentity.clusterId(131079)).isEqualTo(2);
        assertThat(NumericIdentity.local(131079)).isEqualTo(7);
        assertThat(NumericIdentity.of(255, 65535)).isEqualTo(16777215);
        assertThatThrownBy(() -> NumericIdentity.of(1, 0)).hasMessageContaining("local identity 0");
        assertThatThrownBy(() -> NumericIdentity.of(256, 1)).hasMessageContaining("256");
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new java.util.HashMap<>(a);
        out.putAll(b);
        return out;
    }
}
