package dev.clustermesh.dns.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Reads one query message at the octet level: the header, exactly one question (its name as a {@link WireName}
 * key, its octets kept to be echoed as sent), every record of the other sections checked against the counts, at
 * most one OPT (owned by the root, in the additional section, its options inside its data) and at most one TSIG
 * (the last record). Never throws; never releases or moves the caller's buffer.
 */
final class QueryReader {
    static final int HEADER = 12;
    private static final int TYPE_OPT = 41;
    private static final int TYPE_TSIG = 250;
    private static final int CLASS_ANY = 255;

    private QueryReader() {
    }

    /** What a packet turned out to be. */
    sealed interface Incoming permits Query, Malformed, Unsupported, Dropped {
    }

    /**
     * A well-formed standard query.
     *
     * @param edns the OPT pseudo-record's values, {@code null} without EDNS
     * @param tsig the TSIG record's values, {@code null} for an unsigned query
     */
    record Query(int id, boolean rd, QuestionWire question, Edns edns, Tsig tsig) implements Incoming {
    }

    /**
     * The question as received.
     *
     * @param key the name's {@link WireName} key
     * @param wire the question's octets as sent: name (never compressed in a query), type, class
     */
    record QuestionWire(String key, int type, int dnsClass, byte[] wire) {
    }

    /**
     * EDNS0 values of a query (RFC 6891 §6.1.3).
     *
     * @param payloadSize the requestor's UDP payload size
     * @param version the EDNS version
     * @param dnssecOk the DO bit
     */
    record Edns(int payloadSize, int version, boolean dnssecOk) {
    }

    /**
     * What an error response echoes of a TSIG record (RFC 8945 §4.2): everything but the MAC.
     *
     * @param keyName the key name, uncompressed wire form
     * @param algorithm the algorithm name, uncompressed wire form
     * @param timeSigned seconds since the epoch, 48 bits
     */
    record Tsig(byte[] keyName, byte[] algorithm, long timeSigned, int fudge, int originalId) {
    }

    /**
     * A query with a header but malformed after it: answered FORMERR, echoing the question and the OPT record
     * when they were read well (RFC 6891 §7).
     *
     * @param question the question when QDCOUNT was 1 and it was well-formed, else {@code null}
     * @param edns the OPT values when a single well-formed OPT was read, else {@code null}
     */
    record Malformed(int id, int opcode, boolean rd, BadPacket reason, QuestionWire question, Edns edns)
            implements Incoming {
    }

    /** A query with an opcode other than QUERY: answered NOTIMP, echoing what was read well. */
    record Unsupported(int id, int opcode, boolean rd, QuestionWire question, Edns edns) implements Incoming {
    }

    /** Not answered at all. */
    record Dropped(BadPacket reason) implements Incoming {
    }

    /**
     * Reads {@code packet} from its reader index without moving it.
     *
     * @return {@link Dropped} for fewer than 12 octets or a response; {@link Unsupported} for an opcode other
     *         than QUERY; {@link Malformed} (with the reason) for a header followed by anything but exactly one
     *         well-formed question and well-formed records matching the section counts; otherwise {@link Query}
     */
    static Incoming read(ByteBuf packet) {
        if (packet.readableBytes() < HEADER) {
            return new Dropped(BadPacket.SHORT_HEADER);
        }
        byte[] m = ByteBufUtil.getBytes(packet);
        int id = u16(m, 0);
        int flags = u16(m, 2);
        if ((flags & 0x8000) != 0) {
            return new Dropped(BadPacket.NOT_A_QUERY);
        }
        int opcode = (flags >> 11) & 0xf;
        boolean rd = (flags & 0x100) != 0;
        Body body = new Body(m);
        body.read(u16(m, 4), u16(m, 6) + u16(m, 8), u16(m, 10));
        if (opcode != 0) {
            return new Unsupported(id, opcode, rd, body.question, body.edns);
        }
        if (body.problem != null) {
            return new Malformed(id, opcode, rd, body.problem, body.question, body.edns);
        }
        return new Query(id, rd, body.question, body.edns, body.tsig);
    }

    static int u16(byte[] m, int at) {
        return ((m[at] & 0xff) << 8) | (m[at + 1] & 0xff);
    }

    private static long u32(byte[] m, int at) {
        return ((long) u16(m, at) << 16) | u16(m, at + 2);
    }

    /** The sections after the header, read once; the first problem found is kept, reading stops there. */
    private static final class Body {
        private final byte[] m;
        private int pos = HEADER;
        private QuestionWire question;
        private Edns edns;
        private Tsig tsig;
        private BadPacket problem;

        Body(byte[] m) {
            this.m = m;
        }

        void read(int questions, int records, int additional) {
            if (questions == 0) {
                problem = BadPacket.QUESTION_COUNT;
            }
            for (int i = 0; i < questions && problem == null; i++) {
                readQuestion(i == 0 && questions == 1);
            }
            if (questions > 1 && problem == null) {
                question = null;
                problem = BadPacket.QUESTION_COUNT;
            }
            int total = records + additional;
            for (int i = 0; i < total && pos >= 0; i++) {
                if (!readRecord(i >= records, i == total - 1)) {
                    return;
                }
            }
            if (pos >= 0 && pos < m.length) {
                fail(BadPacket.TRAILING_DATA);
            }
        }

        private void fail(BadPacket reason) {
            if (problem == null) {
                problem = reason;
            }
            pos = -1;
        }

        private void readQuestion(boolean keep) {
            WireName.Read name = WireName.read(m, pos);
            if (name == null || name.end() + 4 > m.length) {
                fail(BadPacket.BAD_QUESTION);
                return;
            }
            int end = name.end() + 4;
            if (keep) {
                question = new QuestionWire(name.key(), u16(m, name.end()), u16(m, name.end() + 2),
                        java.util.Arrays.copyOfRange(m, pos, end));
            }
            pos = end;
        }

        /** Reads one record; false when reading must stop. */
        private boolean readRecord(boolean inAdditional, boolean last) {
            if (pos >= m.length) {
                fail(BadPacket.SECTION_COUNT);
                return false;
            }
            WireName.Read owner = WireName.read(m, pos);
            if (owner == null) {
                fail(BadPacket.BAD_RECORD);
                return false;
            }
            int at = owner.end();
            if (at + 10 > m.length || at + 10 + u16(m, at + 8) > m.length) {
                fail(BadPacket.SECTION_COUNT);
                return false;
            }
            int type = u16(m, at);
            int data = at + 10;
            int dataEnd = data + u16(m, at + 8);
            pos = dataEnd;
            if (type == TYPE_OPT) {
                return opt(owner, inAdditional, u16(m, at + 2), u32(m, at + 4), data, dataEnd);
            }
            if (type == TYPE_TSIG) {
                return tsig(owner, inAdditional && last, u16(m, at + 2), data, dataEnd);
            }
            return true;
        }

        private boolean opt(WireName.Read owner, boolean inAdditional, int payload, long ttl, int data, int end) {
            if (!inAdditional || edns != null || !owner.key().isEmpty()) {
                edns = null;
                fail(BadPacket.BAD_OPT);
                return false;
            }
            // RFC 6891 §6.1.2: options are code, length, data; one running past the record's data is malformed.
            int p = data;
            while (p < end) {
                if (p + 4 > end || p + 4 + u16(m, p + 2) > end) {
                    fail(BadPacket.BAD_OPT);
                    return false;
                }
                p += 4 + u16(m, p + 2);
            }
            edns = new Edns(payload, (int) (ttl >> 16) & 0xff, (ttl & 0x8000) != 0);
            return true;
        }

        /** RFC 8945 §5.1: one TSIG, the last record, class ANY; its data read exactly. */
        private boolean tsig(WireName.Read owner, boolean lastAdditional, int dnsClass, int data, int end) {
            WireName.Read algorithm = lastAdditional && dnsClass == CLASS_ANY ? WireName.read(m, data) : null;
            int p = algorithm == null ? end : algorithm.end();
            if (algorithm == null || p + 10 > end || p + 10 + u16(m, p + 8) + 6 > end) {
                fail(BadPacket.BAD_TSIG);
                return false;
            }
            long time = ((long) u16(m, p) << 32) | u32(m, p + 2);
            int fudge = u16(m, p + 6);
            int afterMac = p + 10 + u16(m, p + 8);
            if (afterMac + 6 + u16(m, afterMac + 4) != end) {
                fail(BadPacket.BAD_TSIG);
                return false;
            }
            tsig = new Tsig(owner.wire(), algorithm.wire(), time, fudge, u16(m, afterMac));
            return true;
        }
    }
}
