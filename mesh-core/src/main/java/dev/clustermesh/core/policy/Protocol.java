package dev.clustermesh.core.policy;

import java.util.Optional;

/** The L4 protocols a policy port can name; the numbers are IANA protocol numbers, as nftables {@code meta l4proto} uses. */
public enum Protocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    /** The IANA protocol number. */
    public int number() {
        return number;
    }

    /** Parses an upper-case protocol name as Kubernetes writes it; empty for anything else. */
    public static Optional<Protocol> parse(String name) {
        for (Protocol p : values()) {
            if (p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
