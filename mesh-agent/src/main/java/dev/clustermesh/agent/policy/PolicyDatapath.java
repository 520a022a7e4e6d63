package dev.clustermesh.agent.policy;

import dev.clustermesh.core.policy.PolicyProgram;
import java.net.InetAddress;
import java.util.Map;

/** Where a policy program is enforced: nftables on the node, or only remembered. */
public interface PolicyDatapath extends AutoCloseable {

    /**
     * Makes {@code program} the one enforced, all of it or nothing.
     *
     * @param fullSync rebuild from nothing rather than apply what differs from the last program
     * @throws RuntimeException when it could not: the previous program stays, the caller retries with a full sync
     */
    void apply(PolicyProgram program, boolean fullSync);

    /**
     * Makes {@code program} the one enforced, where it differs from the last one applied only in pod addresses of
     * identities that one already knew: the cheap path for pods coming and going (element operations only).
     *
     * @param removed addresses that left, with the identity they had
     * @param added addresses that joined or changed identity, with their identity now
     * @throws RuntimeException as {@link #apply}
     */
    default void applyAddresses(PolicyProgram program, Map<InetAddress, Integer> removed,
            Map<InetAddress, Integer> added) {
        apply(program, false);
    }

    /**
     * Cuts the established connections {@code program} (just applied) denies: strict mode. Does nothing where
     * the datapath keeps no connection state.
     *
     * @return how many connections were cut
     * @throws RuntimeException when the connections cannot be listed or cut now
     */
    default int cutDenied(PolicyProgram program) {
        return 0;
    }

    /**
     * What the datapath counted per policy, direction and verdict; empty when it counts nothing.
     *
     * @throws RuntimeException when the counters cannot be read now
     */
    default java.util.List<PolicyCounter> counters() {
        return java.util.List.of();
    }

    /**
     * Housekeeping that must not delay a change, e.g. replacing a helper process: called by the policy worker after
     * a run when no change waits (after one that applied everything, and once a second while idle). May take
     * milliseconds; never throws.
     */
    default void idle() {
    }

    @Override
    default void close() {
    }

    /** Remembers the program and enforces nothing: the agent's {@code memory} datapath mode. */
    final class Memory implements PolicyDatapath {
        private volatile PolicyProgram last;
        private final java.util.concurrent.atomic.AtomicLong programs = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong addressChanges = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void apply(PolicyProgram program, boolean fullSync) {
            last = program;
            programs.incrementAndGet();
        }

        @Override
        public void applyAddresses(PolicyProgram program, Map<InetAddress, Integer> removed,
                Map<InetAddress, Integer> added) {
            last = program;
            addressChanges.incrementAndGet();
        }

        private final java.util.concurrent.atomic.AtomicLong cuts = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public int cutDenied(PolicyProgram program) {
            cuts.incrementAndGet();
            return 0;
        }

        /** How many times strict mode asked to cut denied connections (none are tracked here). */
        public long cuts() {
            return cuts.get();
        }

        /** How many whole programs were applied. */
        public long programs() {
            return programs.get();
        }

        /** How many address-only changes were applied. */
        public long addressChanges() {
            return addressChanges.get();
        }

        /** The last program applied, null before the first. */
        public PolicyProgram last() {
            return last;
        }
    }
}
