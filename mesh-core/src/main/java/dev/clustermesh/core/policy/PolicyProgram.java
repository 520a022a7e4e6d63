package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The datapath-neutral policy program of one cluster, computed by {@link PolicyCompiler}: what a renderer (e.g. to
 * nftables) turns into rules, sets and maps.
 *
 * <p>Designed so churn is cheap: entries name peers by identity, and {@link #ipIdentities()} attributes addresses
 * to identities. A pod added or removed anywhere in the mesh with an identity that already exists changes only
 * {@code ipIdentities}; a new identity adds elements to {@link PeerMatch.IdentitySet}s; only policy changes (and
 * egress named ports resolving to a new number) change entries.
 *
 * <p>What a renderer must keep (checked by {@link DirectionProgram#decide}, the reference to test a renderer
 * against): replies of accepted connections pass before any of this (conntrack established/related); ingress is
 * decided where the destination pod lives with the source as peer, egress where the source lives with the
 * destination as peer, both after service DNAT; the peer's identity is {@link #identityOf}; per endpoint and
 * direction, deny entries drop first, then a non-enforced direction accepts, then allow entries accept, then drop.
 * One way to lay it out in nftables: a map {@code ip → identity} from {@code ipIdentities}, a verdict map from the
 * endpoint's address to its per-direction chain, one named identity set per {@link PeerMatch.IdentitySet} (kept
 * even when empty) and one interval set per {@link PeerMatch.CidrSet} (its exceptions as a preceding set, or as
 * interval holes), and a named counter per {@link RuleRef} plus one per endpoint for default deny.
 *
 * @param cluster the cluster whose endpoints this program is for
 * @param endpoints one program per local endpoint, in mesh order
 * @param ipIdentities every known pod address of the mesh → its identity
 * @param podCidrs the pod CIDRs of the mesh: an unmapped address inside one is {@link Identities#UNKNOWN}, outside
 *     all of them {@link Identities#WORLD}
 */
public record PolicyProgram(String cluster, List<EndpointProgram> endpoints, Map<InetAddress, Integer> ipIdentities,
                            List<Cidr> podCidrs) {
    public PolicyProgram {
        endpoints = List.copyOf(endpoints);
        ipIdentities = IpIdentityMap.of(ipIdentities); // immutable, cheap to derive from (IpIdentityMap#with)
        podCidrs = List.copyOf(podCidrs);
    }

    /** The identity the datapath gives {@code address}. */
    public int identityOf(InetAddress address) {
        Integer id = ipIdentities.get(address);
        if (id != null) {
            return id;
        }
        return podCidrs.stream().anyMatch(c -> c.contains(address)) ? Identities.UNKNOWN : Identities.WORLD;
    }

    /** The program of the local endpoint with this address. */
    public Optional<EndpointProgram> endpoint(InetAddress address) {
        return endpoints.stream().filter(e -> e.ip().equals(address)).findFirst();
    }
}
