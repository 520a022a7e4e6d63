package dev.clustermesh.dns.server;

import java.util.Locale;

/** Why a packet was not answered normally; a bounded set, used as a metric label. */
public enum BadPacket {
    /** Shorter than the 12-octet header: dropped (there is no ID to answer). */
    SHORT_HEADER,
    /** The QR bit is set: a response sent to the server, dropped so two servers never loop. */
    NOT_A_QUERY,
    /** QDCOUNT is not 1: FORMERR. */
    QUESTION_COUNT,
    /**
     * The question is malformed (a compression pointer, which a query's question cannot hold legitimately, a
     * truncated label or type, an obsolete label type) or longer than 255 octets.
     */
    BAD_QUESTION,
    /** A section holds fewer records than its count says: FORMERR. */
    SECTION_COUNT,
    /** A record of the answer, authority or additional section is malformed: FORMERR. */
    BAD_RECORD,
    /** More than one OPT record, an OPT not owned by the root or outside the additional section, or an EDNS
     * option running past the OPT data: FORMERR. */
    BAD_OPT,
    /** A TSIG record that is not the last record, not of class ANY, or malformed (RFC 8945 §5.1): FORMERR. */
    BAD_TSIG,
    /** A TSIG-signed query: this server holds no keys, so it is answered NOTAUTH with BADKEY (RFC 8945 §5.2.1). */
    TSIG_KEY,
    /** Octets left after the last section: FORMERR. */
    TRAILING_DATA,
    /** A TCP connection was refused because the connection limit was reached. */
    TCP_LIMIT;

    /** The metric label: lowercase with underscores. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
