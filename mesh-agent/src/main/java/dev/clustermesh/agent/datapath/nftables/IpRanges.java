package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.core.policy.Cidr;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Prefix arithmetic of either family, for the policy table's CIDR sets: a block with its exceptions cut out, as the
 * fewest prefixes (an interval set's elements), in the text {@link NftPolicy#text(byte[])} writes.
 */
final class IpRanges {
    private IpRanges() {
    }

    /** {@code block} without {@code except} (exceptions of the other family cut nothing). */
    static List<String> minus(Cidr block, List<Cidr> except) {
        int bits = block.isIpv6() ? 128 : 32;
        List<BigInteger[]> ranges = new ArrayList<>();
        ranges.add(range(block, bits));
        for (Cidr e : except) {
            if (e.isIpv6() != block.isIpv6()) {
                continue;
            }
            BigInteger[] cut = range(e, bits);
            List<BigInteger[]> next = new ArrayList<>();
            for (BigInteger[] r : ranges) {
                if (cut[1].compareTo(r[0]) < 0 || cut[0].compareTo(r[1]) > 0) {
                    next.add(r);
                    continue;
                }
                if (cut[0].compareTo(r[0]) > 0) {
                    next.add(new BigInteger[] {r[0], cut[0].subtract(BigInteger.ONE)});
                }
                if (cut[1].compareTo(r[1]) < 0) {
                    next.add(new BigInteger[] {cut[1].add(BigInteger.ONE), r[1]});
                }
            }
            ranges = next;
        }
        List<String> out = new ArrayList<>();
        for (BigInteger[] r : ranges) {
            BigInteger start = r[0];
            while (start.compareTo(r[1]) <= 0) {
                // The largest aligned prefix starting here that ends within the range.
                int host = 0;
                while (host < bits && !start.testBit(host)
                        && start.add(BigInteger.ONE.shiftLeft(host + 1)).subtract(BigInteger.ONE).compareTo(r[1]) <= 0) {
                    host++;
                }
                out.add(text(start, bits) + "/" + (bits - host));
                start = start.add(BigInteger.ONE.shiftLeft(host));
            }
        }
        return out;
    }

    private static BigInteger[] range(Cidr c, int bits) {
        BigInteger start = new BigInteger(1, c.networkBytes());
        return new BigInteger[] {start, start.add(BigInteger.ONE.shiftLeft(bits - c.prefixLength()))
                .subtract(BigInteger.ONE)};
    }

    private static String text(BigInteger v, int bits) {
        byte[] raw = v.toByteArray();
        byte[] addr = new byte[bits / 8];
        int n = Math.min(raw.length, addr.length);
        System.arraycopy(raw, raw.length - n, addr, addr.length - n, n);
        return NftPolicy.text(addr);
    }
}
