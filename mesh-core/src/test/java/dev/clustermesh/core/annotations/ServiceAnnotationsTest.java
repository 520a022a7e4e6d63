package dev.clustermesh.core.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.Affinity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceAnnotationsTest {
    private static final String G = ServiceAnnotations.GLOBAL;
    private static final String S = ServiceAnnotations.SHARED;
    private static final String A = ServiceAnnotations.AFFINITY;

    record Case(String name, Map<String, String> in, boolean global, boolean shared, Affinity affinity,
            List<String> warnings) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("no annotations", Map.of(), false, true, Affinity.AFFINITY_NONE, List.of()),
                new Case("global", Map.of(G, "true"), true, true, Affinity.AFFINITY_NONE, List.of()),
                new Case("global is case-insensitive", Map.of(G, "TRUE"), true, true, Affinity.AFFINITY_NONE, List.of()),
                new Case("global false", Map.of(G, "false"), false, true, Affinity.AFFINITY_NONE, List.of()),
                new Case("shared false", Map.of(G, "true", S, "false"), true, false, Affinity.AFFINITY_NONE, List.of()),
                new Case("shared False", Map.of(G, "true", S, "False "), true, false, Affinity.AFFINITY_NONE, List.of()),
                new Case("affinity local", Map.of(G, "true", A, "local"), true, true, Affinity.AFFINITY_LOCAL, List.of()),
                new Case("affinity Remote", Map.of(G, "true", A, "Remote"), true, true, Affinity.AFFINITY_REMOTE, List.of()),
                new Case("affinity none", Map.of(G, "true", A, "none"), true, true, Affinity.AFFINITY_NONE, List.of()),
                new Case("old aliases", Map.of("io.cilium/global-service", "true", "io.cilium/shared-service", "false",
                        "io.cilium/service-affinity", "remote"), true, false, Affinity.AFFINITY_REMOTE, List.of()),
                new Case("bad global value", Map.of(G, "yes"), false, true, Affinity.AFFINITY_NONE,
                        List.of(G + "=\"yes\": expected \"true\" or \"false\"; using the default false")),
                new Case("bad shared value keeps the service global", Map.of(G, "true", S, "nope"), true, true,
                        Affinity.AFFINITY_NONE,
                        List.of(S + "=\"nope\": expected \"true\" or \"false\"; using the default true")),
                new Case("bad affinity value", Map.of(G, "true", A, "nearest"), true, true, Affinity.AFFINITY_NONE,
                        List.of(A + "=\"nearest\": expected \"local\", \"remote\" or \"none\"; using the default none")),
                new Case("affinity without global", Map.of(A, "local"), false, true, Affinity.AFFINITY_NONE,
                        List.of(A + "=\"local\": has no effect because the service is not global ("
                                + G + "=\"true\" is missing)")),
                new Case("new name wins over a conflicting alias", Map.of(G, "true", A, "local",
                        "io.cilium/service-affinity", "remote"), true, true, Affinity.AFFINITY_LOCAL,
                        List.of("io.cilium/service-affinity=\"remote\": conflicts with " + A + "=\"local\"; using " + A)),
                new Case("agreeing alias is no warning", Map.of(G, "true", "io.cilium/global-service", "True"),
                        true, true, Affinity.AFFINITY_NONE, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesWithWarningsAndDefaults(Case c) {
        ServiceAnnotations.Parsed p = ServiceAnnotations.parse(c.in());
        assertThat(p.annotations()).isEqualTo(new ServiceAnnotations(c.global(), c.shared(), c.affinity()));
        assertThat(p.warnings()).extracting(AnnotationWarning::toString).containsExactlyElementsOf(c.warnings());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void unrelatedAnnotationsChangeNothing(Case c) {
        Map<String, String> more = new HashMap<>(c.in());
        more.put("kubectl.kubernetes.io/last-applied-configuration", "{}");
        assertThat(ServiceAnnotations.parse(more)).isEqualTo(ServiceAnnotations.parse(c.in()));
    }
}
