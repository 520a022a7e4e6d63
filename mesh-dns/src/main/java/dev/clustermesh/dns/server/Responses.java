package dev.clustermesh.dns.server;

import dev.clustermesh.dns.server.QueryReader.Edns;
import dev.clustermesh.dns.server.QueryReader.Query;
import dev.clustermesh.dns.zone.Answer;
import dev.clustermesh.dns.zone.DnsNames;
import dev.clustermesh.dns.zone.ResourceRecord;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.util.List;

/**
 * Builds Netty response messages from zone answers: header flags, the question echoed as sent, the records
 * (answer records owned by the query name as the client spelled it), the OPT record, and truncation.
 */
final class Responses {
    /** Size of an OPT record without options: root name, type, class, TTL, RDLENGTH. */
    private static final int OPT_SIZE = 11;
    private static final int HEADER = 12;
    /** The largest DNS message, and so the largest TCP answer. */
    static final int MAX_MESSAGE = 65535;

    private Responses() {
    }

    /** Makes an empty response of the transport's kind. */
    @FunctionalInterface
    interface Factory {
        DnsResponse create(int id, DnsOpCode opcode, DnsResponseCode rcode);
    }

    /**
     * The response to a well-formed query.
     *
     * @param limit the largest message the client accepts; an answer that does not fit is sent without records
     *        and with TC (RFC 2181 §9), the OPT record kept
     * @param udpPayloadMax the payload size announced in the OPT record
     * @return the response and whether it was truncated
     */
    static Built answer(Factory f, Query q, Answer a, int limit, int udpPayloadMax) {
        Edns edns = q.edns();
        boolean badVersion = edns != null && edns.version() > 0;
        int rcode = badVersion ? Answer.BADVERS : a.rcode();
        DnsResponse r = f.create(q.id(), DnsOpCode.QUERY, DnsResponseCode.valueOf(rcode & 0xf));
        r.setRecursionDesired(q.rd());
        r.setAuthoritativeAnswer(a.authoritative() && !badVersion);
        r.addRecord(DnsSection.QUESTION, q.question());
        String owner = q.question().name();
        int size = HEADER + ownerSize(owner) + 4 + (edns == null ? 0 : OPT_SIZE);
        boolean truncated = false;
        if (!badVersion) {
            int records = recordsSize(a.answers(), owner) + recordsSize(a.authority(), null)
                    + recordsSize(a.additional(), null);
            if (size + records <= limit) {
                add(r, DnsSection.ANSWER, a.answers(), owner);
                add(r, DnsSection.AUTHORITY, a.authority(), null);
                add(r, DnsSection.ADDITIONAL, a.additional(), null);
            } else {
                r.setTruncated(true);
                truncated = true;
            }
        }
        if (edns != null) {
            // RFC 6891 §6.1.3: extended RCODE in the TTL's top octet, version 0; RFC 3225 §3: DO copied.
            long ttl = ((long) (rcode >> 4) << 24) | (edns.dnssecOk() ? 0x8000 : 0);
            r.addRecord(DnsSection.ADDITIONAL,
                    new DefaultDnsRawRecord("", DnsRecordType.OPT, udpPayloadMax, ttl, Unpooled.EMPTY_BUFFER));
        }
        return new Built(r, rcode, truncated);
    }

    /** A response without question or records: FORMERR, NOTIMP, SERVFAIL. */
    static DnsResponse error(Factory f, int id, int opcode, boolean rd, int rcode) {
        DnsResponse r = f.create(id, DnsOpCode.valueOf(opcode), DnsResponseCode.valueOf(rcode));
        r.setRecursionDesired(rd);
        return r;
    }

    /**
     * A built response.
     *
     * @param rcode the full response code, extended codes included
     */
    record Built(DnsResponse response, int rcode, boolean truncated) {
    }

    /** The largest response for a query: 512 without EDNS over UDP, the client's size within bounds with it. */
    static int udpLimit(Edns edns, int udpPayloadMax) {
        if (edns == null) {
            return ServerSettings.MIN_UDP_PAYLOAD;
        }
        return Math.max(ServerSettings.MIN_UDP_PAYLOAD, Math.min(edns.payloadSize(), udpPayloadMax));
    }

    private static void add(DnsResponse r, DnsSection section, List<ResourceRecord> records, String owner) {
        for (ResourceRecord rr : records) {
            r.addRecord(section, new DefaultDnsRawRecord(owner != null ? owner : rr.name() + ".",
                    DnsRecordType.valueOf(rr.type()), DnsRecord.CLASS_IN, rr.ttl(),
                    Unpooled.wrappedBuffer(rr.rdataView())));
        }
    }

    private static int recordsSize(List<ResourceRecord> records, String owner) {
        int size = 0;
        for (ResourceRecord rr : records) {
            size += owner != null ? ownerSize(owner) + 10 + rr.rdataLength() : rr.wireSize(rr.name());
        }
        return size;
    }

    /** Wire size of a name as Netty writes it (uncompressed) from its dotted form with trailing dot. */
    private static int ownerSize(String dotted) {
        if (dotted.isEmpty() || dotted.equals(".")) {
            return 1;
        }
        return dotted.endsWith(".") ? dotted.length() + 1 : DnsNames.wireLength(dotted);
    }
}
