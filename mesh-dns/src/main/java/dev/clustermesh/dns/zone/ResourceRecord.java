package dev.clustermesh.dns.zone;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One resource record of class IN: owner name (zone form, no trailing dot), type, TTL, and its RDATA both as wire
 * bytes (uncompressed names) and in presentation form. Immutable; equal when name, type, TTL and presentation
 * form are equal.
 */
public final class ResourceRecord {
    private final String name;
    private final int type;
    private final long ttl;
    private final String data;
    private final byte[] rdata;
    private final String target;
    private final List<String> rdataNames;

    private ResourceRecord(String name, int type, long ttl, String data, byte[] rdata, String target,
            List<String> rdataNames) {
        this.name = name;
        this.type = type;
        this.ttl = ttl;
        this.data = data;
        this.rdata = rdata;
        this.target = target;
        this.rdataNames = rdataNames;
    }

    private ResourceRecord(String name, int type, long ttl, String data, byte[] rdata) {
        this(name, type, ttl, data, rdata, null, List.of());
    }

    /** An A or AAAA record, chosen by the address family. */
    public static ResourceRecord address(String name, long ttl, InetAddress ip) {
        int type = ip instanceof Inet6Address ? RecordType.AAAA : RecordType.A;
        String text = dev.clustermesh.core.net.IpAddresses.format(ip);
        return new ResourceRecord(name, type, ttl, text, ip.getAddress());
    }

    /** An SRV record (RFC 2782); the target is written uncompressed. */
    public static ResourceRecord srv(String name, long ttl, int priority, int weight, int port, String target) {
        byte[] t = DnsNames.encode(target);
        ByteBuffer b = ByteBuffer.allocate(6 + t.length).putShort((short) priority).putShort((short) weight)
                .putShort((short) port).put(t);
        return new ResourceRecord(name, RecordType.SRV, ttl, priority + " " + weight + " " + port + " " + target + ".",
                b.array(), target, List.of());
    }

    /** A TXT record holding one character-string of at most 255 ASCII characters. */
    public static ResourceRecord txt(String name, long ttl, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        if (t.length > 255) {
            throw new IllegalArgumentException("TXT string longer than 255 octets");
        }
        byte[] r = new byte[t.length + 1];
        r[0] = (byte) t.length;
        System.arraycopy(t, 0, r, 1, t.length);
        return new ResourceRecord(name, RecordType.TXT, ttl, "\"" + text + "\"", r);
    }

    /** An NS record. */
    public static ResourceRecord ns(String name, long ttl, String target) {
        return new ResourceRecord(name, RecordType.NS, ttl, target + ".", DnsNames.encode(target), target,
                List.of(target));
    }

    /** A PTR record (RFC 1035 §3.3.12) pointing at {@code target}. */
    public static ResourceRecord ptr(String name, long ttl, String target) {
        return new ResourceRecord(name, RecordType.PTR, ttl, target + ".", DnsNames.encode(target), null,
                List.of(target));
    }

    /** An SOA record (RFC 1035 §3.3.13); times in seconds. */
    public static ResourceRecord soa(String name, long ttl, String mname, String rname, long serial, int refresh,
            int retry, int expire, int minimum) {
        byte[] m = DnsNames.encode(mname);
        byte[] r = DnsNames.encode(rname);
        ByteBuffer b = ByteBuffer.allocate(m.length + r.length + 20).put(m).put(r).putInt((int) serial)
                .putInt(refresh).putInt(retry).putInt(expire).putInt(minimum);
        return new ResourceRecord(name, RecordType.SOA, ttl, mname + ". " + rname + ". " + serial + " " + refresh
                + " " + retry + " " + expire + " " + minimum, b.array(), null, List.of(mname, rname));
    }

    /** Owner name, zone form (lowercase, no trailing dot). */
    public String name() {
        return name;
    }

    public int type() {
        return type;
    }

    /** TTL in seconds. */
    public long ttl() {
        return ttl;
    }

    /** The name an SRV or NS record points to, zone form; {@code null} for other types. */
    public String target() {
        return target;
    }

    /** A copy with another TTL (negative answers cap the SOA's TTL at its minimum). */
    public ResourceRecord withTtl(long newTtl) {
        return new ResourceRecord(name, type, newTtl, data, rdata, target, rdataNames);
    }

    /**
     * The names at the start of the RDATA that a response may compress (RFC 1035 §4.1.4 and RFC 3597 §4: NS,
     * PTR, SOA), in order; the rest of the RDATA follows them. Empty for other types: SRV targets are never
     * compressed (RFC 2782).
     */
    public List<String> rdataNames() {
        return rdataNames;
    }

    /** RDATA in presentation form. */
    public String data() {
        return data;
    }

    /** RDATA wire bytes; a copy. */
    public byte[] rdata() {
        return rdata.clone();
    }

    /** RDATA length in octets. */
    public int rdataLength() {
        return rdata.length;
    }

    /** The RDATA wire bytes as a read-only view (no copy), for writing a response. */
    public ByteBuffer rdataView() {
        return ByteBuffer.wrap(rdata).asReadOnlyBuffer();
    }

    /** Uncompressed wire size of the whole record with the given owner name. */
    public int wireSize(String owner) {
        return DnsNames.wireLength(owner) + 10 + rdata.length;
    }

    /** Zone-file presentation: {@code name. ttl IN TYPE data}. */
    @Override
    public String toString() {
        return name + ". " + ttl + " IN " + RecordType.name(type) + " " + data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceRecord r && r.type == type && r.ttl == ttl && r.name.equals(name)
                && r.data.equals(data) && Arrays.equals(r.rdata, rdata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, ttl, data);
    }
}
