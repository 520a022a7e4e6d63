package dev.clustermesh.dns.zone;

import java.util.List;

/**
 * What the zone answers to one question, before wire framing.
 *
 * @param rcode the response code ({@link #NOERROR}, {@link #NXDOMAIN}, {@link #REFUSED}...)
 * @param authoritative the AA flag: true for every answer from inside the zone
 * @param answers the answer section; every record is owned by the query name
 * @param authority the authority section (the SOA in negative answers)
 * @param additional the additional section (addresses of SRV and NS targets in the zone)
 */
public record Answer(int rcode, boolean authoritative, List<ResourceRecord> answers, List<ResourceRecord> authority,
        List<ResourceRecord> additional) {
    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int NOTIMP = 4;
    public static final int REFUSED = 5;
    /** Not authorized: the answer to a TSIG-signed query with a key this server does not hold (RFC 8945). */
    public static final int NOTAUTH = 9;
    /** Extended RCODE of EDNS (RFC 6891): the client's EDNS version is not supported. */
    public static final int BADVERS = 16;

    private static final Answer REFUSED_ANSWER = new Answer(REFUSED, false, List.of(), List.of(), List.of());

    public Answer {
        answers = List.copyOf(answers);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    /** REFUSED without records: the name is outside the zone, or the question is not one this server answers. */
    public static Answer refused() {
        return REFUSED_ANSWER;
    }

    /** True for NOERROR without answers: the name exists but holds no record of the asked type. */
    public boolean nodata() {
        return rcode == NOERROR && answers.isEmpty();
    }

    /** The mnemonic of an RCODE, for metrics: a bounded set whatever the value. */
    public static String rcodeLabel(int rcode) {
        return switch (rcode) {
            case NOERROR -> "NOERROR";
            case FORMERR -> "FORMERR";
            case SERVFAIL -> "SERVFAIL";
            case NXDOMAIN -> "NXDOMAIN";
            case NOTIMP -> "NOTIMP";
            case REFUSED -> "REFUSED";
            case NOTAUTH -> "NOTAUTH";
            case BADVERS -> "BADVERS";
            default -> "OTHER";
        };
    }
}
