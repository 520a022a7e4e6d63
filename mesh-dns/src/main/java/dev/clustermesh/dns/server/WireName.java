package dev.clustermesh.dns.server;

/**
 * Reads domain names from a DNS message as octets (RFC 1035 §3.1, §4.1.4), never as text: a label may hold any
 * octet, and only ASCII letters fold case (RFC 4343).
 *
 * <p>A name is given a <em>key</em>, the zone's presentation form: labels joined by dots, ASCII letters
 * lowercased, letters, digits, {@code -} and {@code _} as they are, every other octet (a dot or backslash inside a
 * label, non-ASCII, controls) as {@code \DDD}. Dots in a key therefore always separate labels, and a key with an
 * escape never equals a name of the zone, which holds only letters, digits, hyphens and underscores.
 */
final class WireName {
    /** Longest name on the wire, length octets and the root label included. */
    static final int MAX_WIRE = 255;
    private static final int HEADER = 12;

    private WireName() {
    }

    /**
     * One name read.
     *
     * @param key the name's key (see the class comment); {@code ""} for the root
     * @param end the offset just after the name where it was found (after its first pointer, if any)
     * @param wire the name uncompressed, in the octets and case sent
     */
    record Read(String key, int end, byte[] wire) {
    }

    /**
     * Reads the name at {@code offset}.
     *
     * @return the name, or {@code null} when it is malformed: it runs past the message; a compression pointer
     *         points into the header, forward, or not strictly before the label sequence it ends (which also rules
     *         out loops); a label type other than a length or a pointer (RFC 6891 §5); longer than 255 octets
     */
    static Read read(byte[] m, int offset) {
        StringBuilder key = new StringBuilder(48);
        byte[] wire = new byte[MAX_WIRE];
        int size = 0;
        int pos = offset;
        int end = -1;
        int floor = offset;
        while (true) {
            if (pos >= m.length) {
                return null;
            }
            int len = m[pos] & 0xff;
            if (len == 0) {
                wire[size++] = 0;
                return new Read(key.toString(), end < 0 ? pos + 1 : end, java.util.Arrays.copyOf(wire, size));
            }
            if ((len & 0xc0) == 0xc0) {
                if (pos + 1 >= m.length) {
                    return null;
                }
                int target = ((len & 0x3f) << 8) | (m[pos + 1] & 0xff);
                if (target < HEADER || target >= floor) {
                    return null;
                }
                end = end < 0 ? pos + 2 : end;
                floor = target;
                pos = target;
                continue;
            }
            if ((len & 0xc0) != 0 || pos + 1 + len > m.length || size + len + 2 > MAX_WIRE) {
                return null;
            }
            System.arraycopy(m, pos, wire, size, len + 1);
            size += len + 1;
            if (size > len + 1) {
                key.append('.');
            }
            appendLabel(key, m, pos + 1, len);
            pos += len + 1;
        }
    }

    private static void appendLabel(StringBuilder key, byte[] m, int from, int len) {
        for (int i = from; i < from + len; i++) {
            int b = m[i] & 0xff;
            if (b >= 'A' && b <= 'Z') {
                key.append((char) (b + ('a' - 'A')));
            } else if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_') {
                key.append((char) b);
            } else {
                key.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10))
                        .append((char) ('0' + b % 10));
            }
        }
    }
}
