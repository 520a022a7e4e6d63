package dev.clustermesh.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Strict IP literal parsing. {@link InetAddress#getByName} would resolve a host name; this class only ever
 * accepts literals, so a bad value can never turn into a DNS lookup.
 */
public final class IpAddresses {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private IpAddresses() {
    }

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal (no brackets, no zone).
     *
     * @return the address, or empty when {@code text} is not an IP literal
     */
    public static Optional<InetAddress> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return Optional.empty();
        }
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = !v4 && text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches();
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            // Safe: the text is a literal by the checks above, so no resolver is consulted.
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * An address as text in one form only: IPv4 dotted quad; IPv6 as RFC 5952 says (lowercase hex without leading
     * zeros, the longest run of two or more zero groups, the first of equals, as {@code ::}). {@link
     * InetAddress#getHostAddress} prints every IPv6 group instead.
     */
    public static String format(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j - 1);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    /** True when {@code text} is an IPv4 or IPv6 literal. */
    public static boolean isLiteral(String text) {
        return parse(text).isPresent();
    }

    /**
     * Parses a CIDR such as {@code 10.10.0.0/16} or {@code fd00::/64}.
     *
     * @return a message naming the value when it is not a valid CIDR, empty when it is
     */
    public static Optional<String> cidrProblem(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0) {
            return Optional.of("'" + cidr + "' is not a CIDR (address/prefix-length)");
        }
        Optional<InetAddress> addr = parse(cidr.substring(0, slash));
        if (addr.isEmpty()) {
            return Optional.of("'" + cidr + "' does not start with an IP address");
        }
        // IPv6 text is a 128-bit prefix, also an IPv4-mapped one (which InetAddress hands back as IPv4).
        int max = cidr.substring(0, slash).indexOf(':') >= 0 ? 128 : addr.get().getAddress().length * 8;
        try {
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            if (bits < 0 || bits > max) {
                return Optional.of("'" + cidr + "' has prefix length " + bits + ", outside 0.." + max);
            }
        } catch (NumberFormatException e) {
            return Optional.of("'" + cidr + "' has a prefix length that is not a number");
        }
        return Optional.empty();
    }
}
