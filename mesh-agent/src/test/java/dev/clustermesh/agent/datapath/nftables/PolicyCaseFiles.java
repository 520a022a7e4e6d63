package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.core.policy.PolicyCompiler;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.PolicySet;
import dev.clustermesh.core.policy.cases.PolicyCase;
import dev.clustermesh.core.policy.cases.PolicyCases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The policy case files of mesh-core (the e2e netpol scenarios and their multi-cluster variants), compiled. */
final class PolicyCaseFiles {
    static final Path DIR = Path.of("..", "mesh-core", "src", "test", "resources", "policy", "cases");

    private PolicyCaseFiles() {
    }

    /** One compiled program per case and cluster. */
    record Compiled(PolicyCase policyCase, String cluster, PolicyProgram program) {
        @Override
        public String toString() {
            return policyCase.name() + " @ " + cluster;
        }
    }

    static List<Compiled> all() {
        if (!Files.isDirectory(DIR)) {
            throw new IllegalStateException("policy case files not found at " + DIR.toAbsolutePath()
                    + " (run the tests from the mesh-agent module directory)");
        }
        try {
            List<Compiled> out = new ArrayList<>();
            for (PolicyCase c : PolicyCases.loadAll(DIR)) {
                for (PolicySet set : c.policySets()) {
                    out.add(new Compiled(c, set.cluster(), PolicyCompiler.compile(set, c.topology().mesh(),
                            c.options())));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
