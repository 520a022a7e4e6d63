package dev.clustermesh.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackoffTest {

    record Case(String name, long minMs, long maxMs, double factor, double jitter, double random, List<Long> expectedMs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("doubles up to the cap", 100, 1000, 2, 0, 0.9, List.of(100L, 200L, 400L, 800L, 1000L, 1000L)),
                new Case("jitter takes at most its share", 200, 30_000, 2, 0.5, 1.0, List.of(100L, 200L, 400L, 800L)),
                new Case("no random part, no jitter", 200, 30_000, 2, 0.5, 0.0, List.of(200L, 400L, 800L, 1600L)),
                new Case("constant", 1000, 1000, 1, 0, 0.5, List.of(1000L, 1000L, 1000L)),
                new Case("factor 3", 10, 100, 3, 0, 0.5, List.of(10L, 30L, 90L, 100L)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void delaysGrowByTheFactorAndStopAtTheCap(Case c) {
        Backoff b = new Backoff(Duration.ofMillis(c.minMs()), Duration.ofMillis(c.maxMs()), c.factor(), c.jitter(),
                c::random);
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < c.expectedMs().size(); i++) {
            got.add(b.next().toMillis());
        }
        assertThat(got).isEqualTo(c.expectedMs());
    }

    @Test
    void resetStartsAgainFromTheMinimum() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 2, 0);
        b.next();
        b.next();
        assertThat(b.next()).isEqualTo(Duration.ofMillis(400));
        assertThat(b.attempt()).isEqualTo(3);
        b.reset();
        assertThat(b.attempt()).isZero();
        assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void manyAttemptsNeitherOverflowNorPassTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2, 0.5);
        for (int i = 0; i < 10_000; i++) {
            assertThat(b.next()).isBetween(Duration.ofMillis(100), Duration.ofSeconds(30));
        }
        assertThat(b.next()).isGreaterThanOrEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void badParametersAreRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
