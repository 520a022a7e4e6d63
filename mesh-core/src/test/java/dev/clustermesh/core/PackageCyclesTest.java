package dev.clustermesh.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.PackageCycles;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Packages depend on each other one way only: a cycle means one of them should be split or moved. */
class PackageCyclesTest {

    @Test
    void noTwoPackagesDependOnEachOther() {
        PackageCycles.assertNone("mesh-core", "dev.clustermesh.");
    }

    /** The policy core stays pure (no etcd, no remote clusters, no datapath); its case data builds on it, not in it. */
    @Test
    void policyCoreDependsOnlyOnPlainPackages() {
        Map<String, Set<String>> graph = PackageCycles.graph(Path.of("target/classes"), "dev.clustermesh.");

        assertThat(graph.get("dev.clustermesh.core.policy")).containsOnly("dev.clustermesh.core.net");
        assertThat(graph.get("dev.clustermesh.core.policy.cases"))
                .containsOnly("dev.clustermesh.core.policy", "dev.clustermesh.core.net");
    }
}
