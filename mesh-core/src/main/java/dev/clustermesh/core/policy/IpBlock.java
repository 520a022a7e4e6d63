package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.List;

/**
 * A CIDR peer with the prefixes cut out of it: Kubernetes {@code ipBlock}, Cilium {@code fromCIDRSet} (a plain
 * {@code fromCIDR} has no exceptions). Each exception lies strictly inside {@code cidr}; the parser refuses others.
 */
public record IpBlock(Cidr cidr, List<Cidr> except) {
    public IpBlock {
        except = List.copyOf(except);
    }

    /** True when {@code address} is inside {@code cidr} and in none of the exceptions. */
    public boolean contains(InetAddress address) {
        return cidr.contains(address) && except.stream().noneMatch(e -> e.contains(address));
    }

    @Override
    public String toString() {
        return except.isEmpty() ? cidr.toString() : cidr + " except " + except;
    }
}
