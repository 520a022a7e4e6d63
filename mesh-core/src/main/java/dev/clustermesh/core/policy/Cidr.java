package dev.clustermesh.core.policy;

import dev.clustermesh.core.net.IpAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 prefix with its host bits cleared, so equal prefixes compare equal however they were written
 * ({@code 10.0.0.1/8} is {@code 10.0.0.0/8}). A plain class, not a record, because it holds a byte array.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code address/prefix}.
     *
     * @return the prefix, or empty when the text is not a valid CIDR (see {@link IpAddresses#cidrProblem})
     */
    public static Optional<Cidr> parse(String text) {
        if (text == null || IpAddresses.cidrProblem(text).isPresent()) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        byte[] addr = IpAddresses.parse(text.substring(0, slash)).orElseThrow().getAddress();
        if (addr.length == 4 && text.indexOf(':') >= 0) {
            // An IPv4-mapped IPv6 prefix (::ffff:0:0/96): InetAddress hands back the IPv4 address; keep IPv6.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(addr, 0, mapped, 12, 4);
            addr = mapped;
        }
        int bits = Integer.parseInt(text.substring(slash + 1));
        return Optional.of(new Cidr(mask(addr, bits), bits));
    }

    /** A single address as a host prefix ({@code /32} or {@code /128}). */
    public static Cidr host(InetAddress address) {
        byte[] addr = address.getAddress();
        return new Cidr(addr.clone(), addr.length * 8);
    }

    private static byte[] mask(byte[] addr, int bits) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    /** True for an IPv6 prefix. */
    public boolean isIpv6() {
        return network.length == 16;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /**
     * The network address's bytes (host bits zero): 4 or 16, also for an IPv4-mapped IPv6 prefix, which
     * {@link #network()} turns into an IPv4 address as {@link InetAddress} does.
     */
    public byte[] networkBytes() {
        return network.clone();
    }

    /** The network address (host bits zero). */
    public InetAddress network() {
        try {
            return InetAddress.getByAddress(network);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
    }

    /** True when {@code address} is of the same family and inside this prefix. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && Arrays.equals(mask(a, prefixLength), network);
    }

    /** True when {@code other} is of the same family and lies entirely inside this prefix. */
    public boolean covers(Cidr other) {
        return other.network.length == network.length && other.prefixLength >= prefixLength
                && Arrays.equals(mask(other.network, prefixLength), network);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** {@code 10.0.0.0/8}, {@code fd00::/64}. */
    @Override
    public String toString() {
        return network().getHostAddress() + "/" + prefixLength;
    }
}
