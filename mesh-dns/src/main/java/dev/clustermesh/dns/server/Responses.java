package dev.clustermesh.dns.server;

import dev.clustermesh.dns.server.MessageWriter.Section;
import dev.clustermesh.dns.server.QueryReader.Edns;
import dev.clustermesh.dns.server.QueryReader.Query;
import dev.clustermesh.dns.server.QueryReader.QuestionWire;
import dev.clustermesh.dns.zone.Answer;
import io.netty.buffer.ByteBuf;

/**
 * Builds response messages from zone answers: header flags, the question echoed octet for octet, the records
 * (answer records owned by the query name as the client spelled it), the OPT record, and truncation.
 */
final class Responses {
    /** The largest DNS message, and so the largest TCP answer. */
    static final int MAX_MESSAGE = 65535;
    /** TSIG error BADKEY (RFC 8945 §5.2.1). */
    static final int BADKEY = 17;
    private static final int QR = 0x8000;
    private static final int AA = 0x0400;
    private static final int RD = 0x0100;

    private Responses() {
    }

    /**
     * Writes the response to a well-formed query at {@code out}'s writer index.
     *
     * @param limit the largest message the client accepts; an answer that does not fit is sent without records
     *        and with TC (RFC 2181 §9), the OPT record kept
     * @param udpPayloadMax the payload size announced in the OPT record
     * @return the full response code (extended codes included) and whether the answer was truncated
     */
    static Built answer(ByteBuf out, Query q, Answer a, int limit, int udpPayloadMax) {
        Edns edns = q.edns();
        boolean badVersion = edns != null && edns.version() > 0;
        int rcode = badVersion ? Answer.BADVERS : a.rcode();
        int flags = QR | (q.rd() ? RD : 0) | (a.authoritative() && !badVersion ? AA : 0);
        MessageWriter w = new MessageWriter(out, q.id(), flags, rcode, q.question());
        int optSize = edns == null ? 0 : 11;
        boolean truncated = false;
        if (!badVersion) {
            w.records(Section.ANSWER, a.answers(), true);
            w.records(Section.AUTHORITY, a.authority(), false);
            w.records(Section.ADDITIONAL, a.additional(), false);
            if (w.size() + optSize > limit) {
                w.truncate();
                truncated = true;
            }
        }
        if (edns != null) {
            w.opt(udpPayloadMax, rcode, edns.dnssecOk());
        }
        return new Built(rcode, truncated);
    }

    /**
     * Writes a response without records: FORMERR, NOTIMP, SERVFAIL, or NOTAUTH for a signed query. The question
     * and an OPT record are echoed when the query's were well-formed (RFC 6891 §7); with {@code tsig}, an
     * unsigned TSIG with BADKEY comes last (RFC 8945 §5.3.2).
     */
    static void error(ByteBuf out, int id, int opcode, boolean rd, int rcode, QuestionWire question, Edns edns,
            int udpPayloadMax, QueryReader.Tsig tsig) {
        MessageWriter w = new MessageWriter(out, id, QR | (opcode & 0xf) << 11 | (rd ? RD : 0), rcode, question);
        if (edns != null) {
            w.opt(udpPayloadMax, rcode, edns.dnssecOk());
        }
        if (tsig != null) {
            w.unsignedTsig(tsig, BADKEY);
        }
    }

    /**
     * What was written.
     *
     * @param rcode the full response code, extended codes included
     */
    record Built(int rcode, boolean truncated) {
    }

    /** The largest response for a query: 512 without EDNS over UDP, the client's size within bounds with it. */
    static int udpLimit(Edns edns, int udpPayloadMax) {
        if (edns == null) {
            return ServerSettings.MIN_UDP_PAYLOAD;
        }
        return Math.max(ServerSettings.MIN_UDP_PAYLOAD, Math.min(edns.payloadSize(), udpPayloadMax));
    }
}
