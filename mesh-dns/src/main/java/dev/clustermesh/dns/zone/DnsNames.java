package dev.clustermesh.dns.zone;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * Domain names as the zone holds them: lowercase, no trailing dot, labels of RFC 1123 letters, digits and
 * hyphens (the form Kubernetes gives namespaces, services, clusters and hostnames).
 */
public final class DnsNames {
    /** Longest name on the wire, length octets and the root label included (RFC 1035 §2.3.4). */
    public static final int MAX_WIRE_LENGTH = 255;
    /** Longest label (RFC 1035 §2.3.4). */
    public static final int MAX_LABEL_LENGTH = 63;

    private DnsNames() {
    }

    /** True when {@code s} is one lowercase RFC 1123 label: 1-63 of [a-z0-9-], not starting or ending with '-'. */
    public static boolean isLabel(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_LABEL_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0 && i < s.length() - 1);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code name} (no trailing dot) is a sequence of {@link #isLabel labels} that fits the wire. */
    public static boolean isName(String name) {
        if (name == null || name.isEmpty() || wireLength(name) > MAX_WIRE_LENGTH) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!isLabel(label) && !(label.startsWith("_") && isLabel(label.substring(1)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A query name in the zone's form: one trailing dot removed and ASCII letters lowercased (DNS names compare
     * case-insensitively in ASCII only, RFC 4343). Never throws.
     */
    public static String canonical(String qname) {
        int end = qname.length();
        if (end > 0 && qname.charAt(end - 1) == '.') {
            end--;
        }
        boolean lower = true;
        for (int i = 0; i < end && lower; i++) {
            char c = qname.charAt(i);
            lower = c < 'A' || c > 'Z';
        }
        if (lower) {
            return qname.substring(0, end);
        }
        char[] out = new char[end];
        for (int i = 0; i < end; i++) {
            char c = qname.charAt(i);
            out[i] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return new String(out);
    }

    /** Uncompressed wire length of a name without trailing dot ({@code ""} is the root). */
    public static int wireLength(String name) {
        return name.isEmpty() ? 1 : name.length() + 2;
    }

    /** True when {@code name} is {@code apex} or below it. */
    public static boolean inZone(String name, String apex) {
        return name.equals(apex) || (name.endsWith(apex) && name.length() > apex.length()
                && name.charAt(name.length() - apex.length() - 1) == '.');
    }

    /** The parent of a name below the root, or {@code ""} for a single label. */
    public static String parent(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }

    /**
     * The reverse-mapping name of an address, zone form: {@code d.c.b.a.in-addr.arpa} for IPv4 (RFC 1035 §3.5),
     * 32 nibbles under {@code ip6.arpa} for IPv6 (RFC 3596 §2.5).
     */
    public static String reverse(InetAddress ip) {
        byte[] a = ip.getAddress();
        StringBuilder b = new StringBuilder(a.length == 4 ? 29 : 73);
        for (int i = a.length - 1; i >= 0; i--) {
            int v = a[i] & 0xff;
            if (a.length == 4) {
                b.append(v).append('.');
            } else {
                b.append(Character.forDigit(v & 0xf, 16)).append('.').append(Character.forDigit(v >> 4, 16)).append('.');
            }
        }
        return b.append(a.length == 4 ? "in-addr.arpa" : "ip6.arpa").toString();
    }

    /**
     * The uncompressed wire form of a name without trailing dot (as SRV targets must be, RFC 2782).
     *
     * @throws IllegalArgumentException when a label is empty or longer than 63 octets
     */
    public static byte[] encode(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 2);
        if (!name.isEmpty()) {
            for (String label : name.split("\\.", -1)) {
                byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                if (b.length == 0 || b.length > MAX_LABEL_LENGTH) {
                    throw new IllegalArgumentException("'" + name + "' has an empty or too long label");
                }
                out.write(b.length);
                out.write(b, 0, b.length);
            }
        }
        out.write(0);
        return out.toByteArray();
    }
}
