package dev.clustermesh.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Packages depend on each other one way only: a cycle means one of them should be split or moved. */
class PackageCyclesTest {

    @Test
    void noTwoPackagesDependOnEachOther() {
        assertThat(PackageCycles.cycles(PackageCycles.graph(Path.of("target/classes"), "dev.clustermesh.")))
                .as("package cycles in mesh-dns (jdeps -verbose:package target/classes)").isEmpty();
    }
}
