package dev.clustermesh.core.annotations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.core.annotations.ServiceAnnotations.MinReady;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code service.cilium.io/affinity-min-ready}: a count or a percent, refused with a warning naming it otherwise. */
class MinReadyAnnotationTest {
    private static final String G = ServiceAnnotations.GLOBAL;
    private static final String A = ServiceAnnotations.AFFINITY;
    private static final String M = ServiceAnnotations.MIN_READY;
    private static final String BAD = "expected a count like \"2\" or a percent like \"50%\" (0..100); ignored";

    record Case(String value, MinReady expected, String warning) {
        @Override
        public String toString() {
            return "'" + value + "'";
        }
    }

    static Stream<Case> values() {
        return Stream.of(
                new Case("2", new MinReady(2, 0), null),
                new Case(" 30 ", new MinReady(30, 0), null),
                new Case("50%", new MinReady(0, 50), null),
                new Case("100%", new MinReady(0, 100), null),
                new Case("0", MinReady.NONE, null),
                new Case("0%", MinReady.NONE, null),
                new Case("-1", MinReady.NONE, BAD),
                new Case("2.5", MinReady.NONE, BAD),
                new Case("150%", MinReady.NONE, BAD),
                new Case("half", MinReady.NONE, BAD),
                new Case("%", MinReady.NONE, BAD),
                new Case("", MinReady.NONE, BAD),
                new Case("99999999999", MinReady.NONE, BAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void readsACountOrAPercent(Case c) {
        ServiceAnnotations.Parsed p = ServiceAnnotations.parse(Map.of(G, "true", A, "local", M, c.value()));
        assertThat(p.annotations().minReady()).isEqualTo(c.expected());
        assertThat(p.annotations().affinity()).as("a bad min-ready keeps the affinity")
                .isEqualTo(dev.clustermesh.proto.mesh.v1.Affinity.AFFINITY_LOCAL);
        assertThat(p.warnings()).extracting(AnnotationWarning::toString)
                .containsExactlyElementsOf(c.warning() == null ? List.of() : List.of(M + "=\"" + c.value() + "\": "
                        + c.warning()));
    }

    @Test
    void withoutAffinityOrGlobalItHasNoEffectAndSaysSo() {
        ServiceAnnotations.Parsed noAffinity = ServiceAnnotations.parse(Map.of(G, "true", M, "3"));
        assertThat(noAffinity.annotations().minReady()).isEqualTo(MinReady.NONE);
        assertThat(noAffinity.warnings()).extracting(AnnotationWarning::toString).containsExactly(M + "=\"3\": has no "
                + "effect without " + A + "=\"local\" or \"remote\"");
        ServiceAnnotations.Parsed notGlobal = ServiceAnnotations.parse(Map.of(A, "local", M, "3"));
        assertThat(notGlobal.annotations()).isEqualTo(ServiceAnnotations.NOT_GLOBAL);
        assertThat(notGlobal.warnings()).extracting(AnnotationWarning::toString).contains(M + "=\"3\": has no effect "
                + "because the service is not global (" + G + "=\"true\" is missing)");
    }

    @Test
    void percentIsOfTheKnownBackendsRoundedUp() {
        assertThat(new MinReady(0, 50).threshold(10)).isEqualTo(5);
        assertThat(new MinReady(0, 50).threshold(7)).isEqualTo(4);
        assertThat(new MinReady(0, 1).threshold(30)).isEqualTo(1);
        assertThat(new MinReady(0, 50).threshold(0)).isZero();
        assertThat(new MinReady(4, 0).threshold(100)).isEqualTo(4);
        assertThat(new MinReady(0, 50)).hasToString("50%");
        assertThatThrownBy(() -> new MinReady(2, 50)).isInstanceOf(IllegalArgumentException.class);
    }
}
