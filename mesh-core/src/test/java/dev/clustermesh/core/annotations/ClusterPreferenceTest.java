package dev.clustermesh.core.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.Affinity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code service.cilium.io/cluster-preference}: cluster names in order; a bad list is ignored with a warning. */
class ClusterPreferenceTest {
    private static final String G = ServiceAnnotations.GLOBAL;
    private static final String P = ClusterPreference.ANNOTATION;

    private static ServiceAnnotations.Parsed parse(Map<String, String> a) {
        return ServiceAnnotations.parse(a);
    }

    private static List<String> warnings(ServiceAnnotations.Parsed p) {
        return p.warnings().stream().map(AnnotationWarning::toString).toList();
    }

    @Test
    void readsClusterNamesInOrder() {
        ServiceAnnotations.Parsed p = parse(Map.of(G, "true", P, " cluster3, cluster1,,"));
        assertThat(p.annotations().clusterPreference()).containsExactly("cluster3", "cluster1");
        assertThat(p.warnings()).isEmpty();
    }

    @Test
    void aBadNameOrARepeatIgnoresThePreference() {
        ServiceAnnotations.Parsed bad = parse(Map.of(G, "true", P, "cluster3,Cluster_1"));
        assertThat(bad.annotations().clusterPreference()).isEmpty();
        assertThat(warnings(bad)).singleElement().asString().startsWith(P + "=\"cluster3,Cluster_1\": cluster name "
                + "'Cluster_1' is not a lowercase DNS label").endsWith("; the preference is ignored");
        ServiceAnnotations.Parsed twice = parse(Map.of(G, "true", P, "c1,c2,c1"));
        assertThat(warnings(twice)).containsExactly(P + "=\"c1,c2,c1\": lists cluster 'c1' twice; the preference "
                + "is ignored");
        assertThat(warnings(parse(Map.of(G, "true", P, " , ")))).containsExactly(P + "=\" , \": names no cluster; "
                + "the preference is ignored");
    }

    @Test
    void itReplacesAffinityAndSaysSo() {
        ServiceAnnotations.Parsed p = parse(Map.of(G, "true", P, "c2", ServiceAnnotations.AFFINITY, "local",
                ServiceAnnotations.MIN_READY, "2"));
        assertThat(p.annotations().affinity()).isEqualTo(Affinity.AFFINITY_NONE);
        assertThat(p.annotations().minReady()).isEqualTo(ServiceAnnotations.MinReady.NONE);
        assertThat(p.annotations().clusterPreference()).containsExactly("c2");
        assertThat(warnings(p)).containsExactly(ServiceAnnotations.AFFINITY + "=\"local\": has no effect: " + P
                + " orders the clusters", ServiceAnnotations.MIN_READY + "=\"2\": has no effect: " + P
                + " orders the clusters");
        ServiceAnnotations.Parsed minReadyOnly = parse(Map.of(G, "true", P, "c2", ServiceAnnotations.AFFINITY, "none",
                ServiceAnnotations.MIN_READY, "2"));
        assertThat(warnings(minReadyOnly)).containsExactly(ServiceAnnotations.MIN_READY + "=\"2\": has no effect: "
                + P + " orders the clusters");
    }

    @Test
    void withoutGlobalItHasNoEffect() {
        ServiceAnnotations.Parsed p = parse(Map.of(P, "c2"));
        assertThat(p.annotations()).isEqualTo(ServiceAnnotations.NOT_GLOBAL);
        assertThat(warnings(p)).containsExactly(P + "=\"c2\": has no effect because the service is not global ("
                + G + "=\"true\" is missing)");
    }
}
