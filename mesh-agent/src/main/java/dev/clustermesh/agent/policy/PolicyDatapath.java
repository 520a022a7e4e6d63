package dev.clustermesh.agent.policy;

import dev.clustermesh.core.policy.PolicyProgram;

/** Where a policy program is enforced: nftables on the node, or only remembered. */
public interface PolicyDatapath extends AutoCloseable {

    /**
     * Makes {@code program} the one enforced, all of it or nothing.
     *
     * @param fullSync rebuild from nothing rather than apply what differs from the last program
     * @throws RuntimeException when it could not: the previous program stays, the caller retries with a full sync
     */
    void apply(PolicyProgram program, boolean fullSync);

    @Override
    default void close() {
    }

    /** Remembers the program and enforces nothing: the agent's {@code memory} datapath mode. */
    final class Memory implements PolicyDatapath {
        private volatile PolicyProgram last;

        @Override
        public void apply(PolicyProgram program, boolean fullSync) {
            last = program;
        }

        /** The last program applied, null before the first. */
        public PolicyProgram last() {
            return last;
        }
    }
}
