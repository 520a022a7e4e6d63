package dev.clustermesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PackageCyclesTest {
    private static final String OUTPUT = String.join("\n",
            "classes -> java.base",
            "classes -> not found",
            "   a.one                                  -> a.two                                  classes",
            "   a.one                                  -> java.lang                              java.base",
            "   a.two                                  -> a.three                                classes",
            "   a.three                                -> a.one                                  classes",
            "   a.four                                 -> a.one                                  classes",
            "   a.four                                 -> b.other                                not found",
            "");

    @Test
    void readsTheEdgesBetweenPackagesOfThePrefix() {
        assertThat(PackageCycles.parse(OUTPUT, "a.")).isEqualTo(Map.of("a.one", Set.of("a.two"),
                "a.two", Set.of("a.three"), "a.three", Set.of("a.one"), "a.four", Set.of("a.one")));
    }

    @Test
    void findsTheCycleAndOnlyIt() {
        assertThat(PackageCycles.cycles(PackageCycles.parse(OUTPUT, "a.")))
                .isEqualTo(List.of(Set.of("a.one", "a.two", "a.three")));
        assertThat(PackageCycles.cycles(Map.of("x", Set.of("y"), "y", Set.of()))).isEmpty();
    }

    @Test
    void thisModuleHasNoCycle() {
        assertThat(PackageCycles.cycles(PackageCycles.graph(java.nio.file.Path.of("target/classes"),
                "dev.clustermesh."))).isEmpty();
    }
}
