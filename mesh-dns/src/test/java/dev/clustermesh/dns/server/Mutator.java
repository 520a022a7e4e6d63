package dev.clustermesh.dns.server;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Random and mutated DNS packets from a seeded generator: the same seed gives the same packets. */
final class Mutator {
    private static final String S = ".default.svc.clusterset.local";
    private static final List<byte[]> SEEDS = seeds();
    private final Random random;

    Mutator(long seed) {
        this.random = new Random(seed);
    }

    private static List<byte[]> seeds() {
        String[] names = {"rebel-base" + S, "_http._tcp.rebel-base" + S, "db-0.cluster1.db" + S, "big" + S,
            "dns-version.clusterset.local", "clusterset.local", "nope" + S, "example.com", "cluster2.rebel-base" + S};
        int[] types = {Type.A, Type.AAAA, Type.SRV, Type.TXT, Type.SOA, Type.NS, Type.ANY, Type.MX, Type.AXFR};
        List<byte[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            Message plain = Dns.query(names[i], types[i % types.length]);
            out.add(plain.toWire());
            Message edns = Dns.query(names[i], types[(i + 3) % types.length]);
            edns.addRecord(new OPTRecord(i % 2 == 0 ? 4096 : 512, 0, 0, i % 3 == 0 ? 0x8000 : 0), Section.ADDITIONAL);
            out.add(edns.toWire());
        }
        out.add(Packets.query(1).bytes(0xc0, 12).u16(1).u16(1).build());
        out.add(Packets.header(2, 0, 1, 0, 0, 2).question("db" + S, 1).opt(1232, 0).opt(1232, 0).build());
        out.add(Packets.header(3, 0, 1, 0, 0, 2).question("rebel-base" + S, 1).opt(1232, 0).tsig(3).build());
        out.add(Packets.query(4).label("rebel-base.default").name("svc.clusterset.local").u16(1).u16(1).build());
        out.add(Packets.header(5, 4 << 11, 1, 0, 0, 1).question("big" + S, 6).bytes(0xc0, 12).u16(41).u16(1232)
                .u32(0).u16(4).u16(10).u16(0).build());
        return List.copyOf(out);
    }

    /** The next packet: a third purely random, the rest mutations of valid and malformed seeds. */
    byte[] next() {
        int kind = random.nextInt(12);
        if (kind < 4) {
            byte[] b = new byte[random.nextInt(kind == 0 ? 12 : 600)];
            random.nextBytes(b);
            if (kind == 1 && b.length >= 3) {
                b[2] &= 0x7f; // a query, so it gets past the QR check more often
            }
            return b;
        }
        byte[] b = SEEDS.get(random.nextInt(SEEDS.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            b = mutate(b);
        }
        return b;
    }

    private byte[] mutate(byte[] b) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(8)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) random.nextInt(256);
            case 2 -> b = Arrays.copyOf(b, at);
            case 3 -> {
                byte[] extra = new byte[1 + random.nextInt(40)];
                random.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            case 4 -> {
                // A count field (QD, AN, NS or AR) set to something else.
                if (b.length >= 12) {
                    int field = 4 + 2 * random.nextInt(4);
                    int v = random.nextBoolean() ? random.nextInt(4) : random.nextInt(65536);
                    b[field] = (byte) (v >> 8);
                    b[field + 1] = (byte) v;
                }
            }
            case 5 -> {
                // A compression pointer anywhere, often pointing at itself or into the header.
                if (at + 1 < b.length) {
                    int target = random.nextBoolean() ? at : random.nextInt(b.length + 16);
                    b[at] = (byte) (0xc0 | (target >> 8 & 0x3f));
                    b[at + 1] = (byte) target;
                }
            }
            case 6 -> b[at] = (byte) (random.nextBoolean() ? 63 : 64 + random.nextInt(128));
            default -> {
                byte[] out = Arrays.copyOf(b, b.length + at);
                System.arraycopy(b, 0, out, b.length, at);
                b = out;
            }
        }
        return b;
    }
}
