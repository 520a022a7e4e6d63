package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.List;

/**
 * The peer side of a program entry, in datapath terms. A datapath first maps the peer address to an identity (the
 * program's ip→identity map, then {@link Identities#UNKNOWN} inside a pod CIDR, else {@link Identities#WORLD}) and
 * then matches: an identity set by membership, a CIDR set by address but only for {@link Identities#WORLD}.
 */
public sealed interface PeerMatch permits PeerMatch.AnyPeer, PeerMatch.IdentitySet, PeerMatch.CidrSet {

    /** Whether a peer with this identity and address matches. */
    boolean matches(int identity, InetAddress address);

    /** Every peer, {@link Identities#UNKNOWN} included. */
    enum AnyPeer implements PeerMatch {
        INSTANCE;

        @Override
        public boolean matches(int identity, InetAddress address) {
            return true;
        }

        @Override
        public String toString() {
            return "any";
        }
    }

    /**
     * Peers whose identity is in the set. May be empty (a selector that selects no known identity yet): the entry
     * stays, so a new identity adds a set element and never a rule.
     */
    record IdentitySet(List<Integer> identities) implements PeerMatch {
        public IdentitySet {
            identities = identities.stream().distinct().sorted().toList();
        }

        @Override
        public boolean matches(int identity, InetAddress address) {
            return identities.contains(identity);
        }

        @Override
        public String toString() {
            return "identities " + identities;
        }
    }

    /** World addresses inside one of the blocks (and outside its exceptions). */
    record CidrSet(List<IpBlock> blocks) implements PeerMatch {
        public CidrSet {
            blocks = List.copyOf(blocks);
        }

        @Override
        public boolean matches(int identity, InetAddress address) {
            return identity == Identities.WORLD && blocks.stream().anyMatch(b -> b.contains(address));
        }

        @Override
        public String toString() {
            return "world cidrs " + blocks;
        }
    }
}
