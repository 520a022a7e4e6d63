package dev.clustermesh.dns.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-made DNS messages, including malformed ones, for wire tests. */
final class Packets {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Packets() {
    }

    /** A header: ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT. */
    static Packets header(int id, int flags, int qd, int an, int ns, int ar) {
        return new Packets().u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
    }

    /** A standard query header with RD and one question. */
    static Packets query(int id) {
        return header(id, 0x0100, 1, 0, 0, 0);
    }

    Packets u16(int v) {
        out.write((v >> 8) & 0xff);
        out.write(v & 0xff);
        return this;
    }

    Packets u32(long v) {
        return u16((int) (v >> 16)).u16((int) v);
    }

    Packets bytes(int... b) {
        for (int v : b) {
            out.write(v);
        }
        return this;
    }

    /** One label holding exactly these ASCII characters, dots included: not root-terminated. */
    Packets label(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        out.write(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    /** A name as labels (no compression), root-terminated. */
    Packets name(String dotted) {
        for (String label : dotted.split("\\.")) {
            if (!label.isEmpty()) {
                byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                out.write(b.length);
                out.write(b, 0, b.length);
            }
        }
        out.write(0);
        return this;
    }

    /** A question: name, type, class IN. */
    Packets question(String name, int type) {
        return name(name).u16(type).u16(1);
    }

    /** An OPT record: root name, payload size, TTL (extended RCODE, version, flags), no options. */
    Packets opt(int payload, long ttl) {
        return bytes(0).u16(41).u16(payload).u32(ttl).u16(0);
    }

    /**
     * A TSIG record (RFC 8945 §4.2) as a client with key {@code key.} would sign with hmac-sha256: class ANY,
     * TTL 0, a 32-octet MAC of zeros (this server never checks it).
     */
    Packets tsig(int originalId) {
        name("key").u16(250).u16(255).u32(0);
        int rdlength = "hmac-sha256".length() + 2 + 6 + 2 + 2 + 32 + 6;
        u16(rdlength).name("hmac-sha256").u16(0).u32(1_700_000_000L).u16(300).u16(32);
        for (int i = 0; i < 32; i++) {
            out.write(0);
        }
        return u16(originalId).u16(0).u16(0);
    }

    /** The offset the next byte will be written at. */
    int offset() {
        return out.size();
    }

    byte[] build() {
        return out.toByteArray();
    }
}
