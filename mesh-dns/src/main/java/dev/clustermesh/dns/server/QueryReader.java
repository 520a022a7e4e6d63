package dev.clustermesh.dns.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads one query message with Netty's DNS record decoder, checking what Netty's query decoder lets through: the
 * question count, that every section holds as many records as its count says, at most one OPT owned by the
 * root and in the additional section, and nothing after the last section. Never throws; never releases or moves
 * the caller's buffer.
 */
final class QueryReader {
    private static final int HEADER = 12;
    private static final DnsRecordDecoder DECODER = DnsRecordDecoder.DEFAULT;

    private QueryReader() {
    }

    /** What a packet turned out to be. */
    sealed interface Incoming permits Query, Malformed, Unsupported, Dropped {
    }

    /**
     * A well-formed standard query.
     *
     * @param edns the OPT pseudo-record's values, {@code null} without EDNS
     */
    record Query(int id, boolean rd, DnsQuestion question, Edns edns) implements Incoming {
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

    /** A query with a header but malformed after it: answered FORMERR. */
    record Malformed(int id, int opcode, boolean rd, BadPacket reason) implements Incoming {
    }

    /** A query with an opcode other than QUERY: answered NOTIMP. */
    record Unsupported(int id, int opcode, boolean rd) implements Incoming {
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
        ByteBuf in = packet.duplicate();
        if (in.readableBytes() < HEADER) {
            return new Dropped(BadPacket.SHORT_HEADER);
        }
        int id = in.readUnsignedShort();
        int flags = in.readUnsignedShort();
        if ((flags & 0x8000) != 0) {
            return new Dropped(BadPacket.NOT_A_QUERY);
        }
        int opcode = (flags >> 11) & 0xf;
        boolean rd = (flags & 0x100) != 0;
        if (opcode != 0) {
            return new Unsupported(id, opcode, rd);
        }
        int questions = in.readUnsignedShort();
        int records = in.readUnsignedShort() + in.readUnsignedShort();
        int additional = in.readUnsignedShort();
        if (questions != 1) {
            return new Malformed(id, opcode, rd, BadPacket.QUESTION_COUNT);
        }
        DnsQuestion question;
        try {
            question = DECODER.decodeQuestion(in);
        } catch (Exception e) {
            // CorruptedFrameException (pointer loop, truncated label), IndexOutOfBounds (no type or class),
            // IllegalArgumentException (IDN conversion of the name): all mean a malformed question.
            return new Malformed(id, opcode, rd, BadPacket.BAD_QUESTION);
        }
        if (!echoable(question.name())) {
            return new Malformed(id, opcode, rd, BadPacket.BAD_QUESTION);
        }
        Sections rest = readRecords(in, records, additional);
        if (rest.problem() != null) {
            return new Malformed(id, opcode, rd, rest.problem());
        }
        return new Query(id, rd, question, rest.edns());
    }

    /** What the sections after the question held: the EDNS values (null without OPT), or what is wrong. */
    private record Sections(Edns edns, BadPacket problem) {
        static Sections bad(BadPacket problem) {
            return new Sections(null, problem);
        }
    }

    /**
     * True when the decoded name can be written back in the response: Netty's encoder refuses empty inner labels,
     * labels over 63 characters and NUL characters, and a name is at most 255 octets on the wire.
     */
    static boolean echoable(String name) {
        if (name.equals(".")) {
            return true;
        }
        int label = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0) {
                    return false;
                }
                label = 0;
            } else if (c == 0 || ++label > 63) {
                return false;
            }
        }
        return name.length() + (label > 0 ? 2 : 1) <= 255;
    }

    /** Reads the answer, authority and additional sections. */
    private static Sections readRecords(ByteBuf in, int records, int additional) {
        Edns edns = null;
        for (int i = 0; i < records + additional; i++) {
            DnsRecord r;
            try {
                r = DECODER.decodeRecord(in);
            } catch (Exception e) {
                return Sections.bad(BadPacket.BAD_RECORD);
            }
            if (r == null) {
                return Sections.bad(BadPacket.SECTION_COUNT);
            }
            try {
                if (r.type() == DnsRecordType.OPT) {
                    if (i < records || edns != null || !".".equals(r.name())) {
                        return Sections.bad(BadPacket.BAD_OPT);
                    }
                    long ttl = r.timeToLive();
                    edns = new Edns(r.dnsClass(), (int) (ttl >> 16) & 0xff, (ttl & 0x8000) != 0);
                }
            } finally {
                ReferenceCountUtil.release(r);
            }
        }
        return in.isReadable() ? Sections.bad(BadPacket.TRAILING_DATA) : new Sections(edns, null);
    }
}
