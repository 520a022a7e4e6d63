package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.loadbalancer.LbFrontend;
import java.util.List;

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
}
