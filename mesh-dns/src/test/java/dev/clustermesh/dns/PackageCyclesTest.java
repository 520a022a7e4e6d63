package dev.clustermesh.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Packages depend on each other one way only: a cycle means one of them should be split or moved. */
class PackageCyclesTest {

    @Test
    void noTwoPackagesDependOnEachOther() {
        var graph = PackageCycles.graph(Path.of("target/classes"), "dev.clustermesh.");
        // A graph with no edges would prove nothing (jdeps output no longer parsed).
        assertThat(graph.values().stream().mapToInt(java.util.Set::size).sum()).as("package dependencies found").isPositive();
        assertThat(PackageCycles.cycles(graph))
                .as("package cycles in mesh-dns (jdeps -verbose:package target/classes)").isEmpty();
    }
}
