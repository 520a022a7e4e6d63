package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import java.util.List;
import java.util.Optional;

/**
 * What the ruleset holds for one frontend: its usable backends, in slot order. No target means the frontend is
 * rejected rather than left to fall through to kube-proxy or the routing table.
 *
 * @param frontend the service frontend
 * @param family its address family
 * @param protocol its L4 protocol as nft names it ({@code tcp}, {@code udp}, {@code sctp})
 * @param targets slot {@code i} DNATs to {@code targets.get(i)}
 */
record NftFrontend(LbFrontend frontend, Family family, String protocol, List<Target> targets) {

    NftFrontend {
        targets = List.copyOf(targets);
    }

    /** A DNAT target: backend address and port. */
    record Target(String ip, int port) {
    }

    /** The address family: picks the map and chain names and the address expression. */
    enum Family {
        V4("4", "ip"), V6("6", "ip6");

        final String suffix;
        final String address;

        Family(String suffix, String address) {
            this.suffix = suffix;
            this.address = address;
        }
    }

    /** Number of usable slots: the {@code mod} of the slot choice. */
    int count() {
        return targets.size();
    }

    /** The load-balancing chain it jumps to; empty without targets (it goes to {@code no_backends}). */
    Optional<LbChain> chain() {
        return count() == 0 ? Optional.empty() : Optional.of(new LbChain(family, protocol, count()));
    }

    /**
     * The load-balancing chain {@code lbF_P_K} of family F, protocol P and K slots: its one rule DNATs through slot
     * {@code numgen random mod K} of the slot map {@code backendsF_P}. Ordered by name.
     *
     * @param family the family
     * @param protocol the protocol as nft names it
     * @param count the number of slots
     */
    record LbChain(Family family, String protocol, int count) implements Comparable<LbChain> {
        String name() {
            return "lb" + family.suffix + "_" + protocol + "_" + count;
        }

        /** The slot map it reads. */
        String slotMap() {
            return "backends" + family.suffix + "_" + protocol;
        }

        String rule() {
            return "meta l4proto " + protocol + " dnat " + family.address + " to " + family.address + " daddr . "
                    + protocol + " dport . numgen random mod " + count + " map @" + slotMap();
        }

        @Override
        public int compareTo(LbChain o) {
            return name().compareTo(o.name());
        }
    }
}
