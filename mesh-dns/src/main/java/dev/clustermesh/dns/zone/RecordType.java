package dev.clustermesh.dns.zone;

/** DNS record type and class numbers used by the zone (RFC 1035, 2782, 3596, 6891), with their mnemonics. */
public final class RecordType {
    public static final int A = 1;
    public static final int NS = 2;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int PTR = 12;
    public static final int MX = 15;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    public static final int OPT = 41;
    public static final int IXFR = 251;
    public static final int AXFR = 252;
    public static final int ANY = 255;

    /** Class IN. */
    public static final int CLASS_IN = 1;
    /** Class ANY (QCLASS *). */
    public static final int CLASS_ANY = 255;

    private RecordType() {
    }

    /**
     * The mnemonic of a type, or {@code "OTHER"} for types the zone never serves; a bounded set, so it is safe as
     * a metric label whatever a client sends.
     */
    public static String label(int type) {
        return switch (type) {
            case A -> "A";
            case NS -> "NS";
            case CNAME -> "CNAME";
            case SOA -> "SOA";
            case PTR -> "PTR";
            case MX -> "MX";
            case TXT -> "TXT";
            case AAAA -> "AAAA";
            case SRV -> "SRV";
            case IXFR -> "IXFR";
            case AXFR -> "AXFR";
            case ANY -> "ANY";
            default -> "OTHER";
        };
    }

    /** The mnemonic for presentation: {@link #label} for known types, {@code TYPEnnn} otherwise (RFC 3597). */
    public static String name(int type) {
        String l = label(type);
        return l.equals("OTHER") ? "TYPE" + type : l;
    }
}
