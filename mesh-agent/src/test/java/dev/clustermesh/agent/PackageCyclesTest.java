package dev.clustermesh.agent;

import dev.clustermesh.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** Packages depend on each other one way only: a cycle means one of them should be split or moved. */
class PackageCyclesTest {

    @Test
    void noTwoPackagesDependOnEachOther() {
        PackageCycles.assertNone("mesh-agent", "dev.clustermesh.");
    }
}
