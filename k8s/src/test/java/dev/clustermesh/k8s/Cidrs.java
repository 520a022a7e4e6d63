package dev.clustermesh.k8s;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** CIDR membership for literal addresses (test helper: the inputs are the overlays' own literals). */
final class Cidrs {
    private Cidrs() {
    }

    /** True when {@code ip} lies inside {@code cidr} (same family); false for a malformed input. */
    static boolean contains(String cidr, String ip) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return false;
        }
        try {
            byte[] net = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            byte[] addr = InetAddress.getByName(ip).getAddress();
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            if (net.length != addr.length || bits < 0 || bits > net.length * 8) {
                return false;
            }
            int shift = net.length * 8 - bits;
            return new BigInteger(1, net).shiftRight(shift).equals(new BigInteger(1, addr).shiftRight(shift));
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }
}
