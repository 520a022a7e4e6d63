package dev.clustermesh.dns.server;

import dev.clustermesh.dns.server.QueryReader.QuestionWire;
import dev.clustermesh.dns.zone.ResourceRecord;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one response message into a buffer: header, the question's octets as received, records with RFC 1035
 * §4.1.4 name compression (owners, and the names in NS, PTR and SOA data; never SRV targets, RFC 2782),
 * pseudo-records (OPT, TSIG). Records owned by the query name point at the question. Not thread-safe; one per
 * response.
 */
final class MessageWriter {
    /** Sections that hold records, in message order; the index is the count's offset in the header. */
    enum Section {
        ANSWER(6), AUTHORITY(8), ADDITIONAL(10);

        private final int countOffset;

        Section(int countOffset) {
            this.countOffset = countOffset;
        }
    }

    private static final int CLASS_IN = 1;
    private static final int MAX_POINTER = 0x3fff;
    private static final int QUESTION_POINTER = 0xc000 | QueryReader.HEADER;

    private final ByteBuf out;
    private final int base;
    private final QuestionWire question;
    private int afterQuestion;
    private Map<String, Integer> names;

    /**
     * Starts a message at the buffer's writer index with the header (all counts 0) and, when given, the question.
     *
     * @param flags the second header word without the RCODE: QR, opcode, AA, TC, RD
     * @param question echoed octet for octet, or {@code null} for none
     */
    MessageWriter(ByteBuf out, int id, int flags, int rcode, QuestionWire question) {
        this.out = out;
        this.base = out.writerIndex();
        this.question = question;
        out.writeShort(id).writeShort(flags | (rcode & 0xf)).writeZero(8);
        if (question != null) {
            out.setShort(base + 4, 1);
            out.writeBytes(question.wire());
        }
        afterQuestion = out.writerIndex();
    }

    /** Octets written so far. */
    int size() {
        return out.writerIndex() - base;
    }

    /**
     * Adds a record to a section.
     *
     * @param ownedByQuestion true to write the owner as a pointer to the question name (the record is owned by
     *        the name asked for, in the client's spelling)
     */
    void record(Section section, ResourceRecord rr, boolean ownedByQuestion) {
        if (ownedByQuestion && question != null) {
            out.writeShort(QUESTION_POINTER);
        } else {
            name(rr.name());
        }
        out.writeShort(rr.type()).writeShort(CLASS_IN).writeInt((int) rr.ttl());
        int lengthAt = out.writerIndex();
        out.writeShort(0);
        List<String> rdataNames = rr.rdataNames();
        if (rdataNames.isEmpty()) {
            out.writeBytes(rr.rdataView());
        } else {
            int uncompressed = 0;
            for (String n : rdataNames) {
                name(n);
                uncompressed += n.isEmpty() ? 1 : n.length() + 2;
            }
            out.writeBytes(rr.rdataView().position(uncompressed));
        }
        out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
        count(section);
    }

    /** Adds records, each owned by the question name or not. */
    void records(Section section, List<ResourceRecord> records, boolean ownedByQuestion) {
        for (ResourceRecord rr : records) {
            record(section, rr, ownedByQuestion);
        }
    }

    /**
     * Adds the OPT pseudo-record (RFC 6891 §6.1.2-6.1.3) to the additional section: the extended RCODE's upper
     * bits, version 0, the DO bit copied (RFC 3225 §3), no options.
     */
    void opt(int payloadSize, int rcode, boolean dnssecOk) {
        out.writeByte(0).writeShort(41).writeShort(payloadSize).writeByte(rcode >> 4).writeByte(0)
                .writeShort(dnssecOk ? 0x8000 : 0).writeShort(0);
        count(Section.ADDITIONAL);
    }

    /** Adds an unsigned TSIG record (MAC size 0) carrying {@code error}, as RFC 8945 §5.3.2 answers errors. */
    void unsignedTsig(QueryReader.Tsig t, int error) {
        out.writeBytes(t.keyName()).writeShort(250).writeShort(255).writeInt(0);
        int lengthAt = out.writerIndex();
        out.writeShort(0).writeBytes(t.algorithm()).writeShort((int) (t.timeSigned() >> 32))
                .writeInt((int) t.timeSigned()).writeShort(t.fudge()).writeShort(0).writeShort(t.originalId())
                .writeShort(error).writeShort(0);
        out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
        count(Section.ADDITIONAL);
    }

    /** Removes every record written so far and sets TC: what a UDP answer that does not fit becomes. */
    void truncate() {
        out.writerIndex(afterQuestion);
        out.setShort(base + 2, out.getUnsignedShort(base + 2) | 0x0200);
        out.setZero(base + 6, 6);
        names = null;
    }

    private void count(Section section) {
        int at = base + section.countOffset;
        out.setShort(at, out.getUnsignedShort(at) + 1);
    }

    /** Writes a zone-form name (lowercase, no trailing dot, {@code ""} the root), compressed. */
    private void name(String name) {
        Map<String, Integer> known = dictionary();
        int i = 0;
        while (i < name.length()) {
            String suffix = i == 0 ? name : name.substring(i);
            Integer at = known.get(suffix);
            if (at != null) {
                out.writeShort(0xc000 | at);
                return;
            }
            if (size() <= MAX_POINTER) {
                known.put(suffix, size());
            }
            int dot = name.indexOf('.', i);
            int end = dot < 0 ? name.length() : dot;
            out.writeByte(end - i);
            for (int c = i; c < end; c++) {
                out.writeByte(name.charAt(c));
            }
            i = end + 1;
        }
        out.writeByte(0);
    }

    /** The names written so far by their key, with their offsets; starts with every suffix of the question. */
    private Map<String, Integer> dictionary() {
        if (names == null) {
            names = new HashMap<>();
            if (question != null) {
                byte[] wire = question.wire();
                String key = question.key();
                int offset = QueryReader.HEADER;
                int from = 0;
                for (int p = 0; wire[p] != 0 && from >= 0; p += (wire[p] & 0xff) + 1) {
                    names.put(key.substring(from), offset + p);
                    int dot = key.indexOf('.', from);
                    from = dot < 0 ? -1 : dot + 1;
                }
            }
        }
        return names;
    }
}
