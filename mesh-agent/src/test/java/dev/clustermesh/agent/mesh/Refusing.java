package dev.clustermesh.agent.mesh;

import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.datapath.MemoryDatapath;
import dev.clustermesh.core.policy.PolicyProgram;

/** Datapaths a test can make refuse every change, for {@link GlobalServiceWalkthroughIT}'s readiness cases. */
final class Refusing {
    private Refusing() {
    }

    /** The memory datapath, refusing every change while {@link #failing}. */
    static final class Datapath implements dev.clustermesh.agent.datapath.Datapath {
        private final MemoryDatapath memory = new MemoryDatapath();
        volatile boolean failing;

        @Override
        public String name() {
            return "gated-memory";
        }

        @Override
        public void apply(DatapathState desired, boolean fullSync) {
            if (failing) {
                throw new DatapathException("refused by the test", null);
            }
            memory.apply(desired, fullSync);
        }
    }

    /** Refuses every policy program while {@link #failing} (from the start). */
    static final class PolicyDatapath implements dev.clustermesh.agent.policy.PolicyDatapath {
        volatile boolean failing = true;

        @Override
        public void apply(PolicyProgram program, boolean fullSync) {
            if (failing) {
                throw new IllegalStateException("policy datapath refuses changes (test)");
            }
        }
    }
}
