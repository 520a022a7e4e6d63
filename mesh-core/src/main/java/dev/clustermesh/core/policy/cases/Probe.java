package dev.clustermesh.core.policy.cases;

import dev.clustermesh.core.policy.Protocol;
import java.util.ArrayList;
import java.util.List;

/** A port and protocol to probe, written {@code 80/TCP}. */
public record Probe(int port, Protocol protocol) {
    /** Every probe the e2e pods serve: 80 and 81 over TCP, UDP and SCTP. */
    public static List<Probe> all() {
        List<Probe> out = new ArrayList<>();
        for (Protocol p : Protocol.values()) {
            out.add(new Probe(80, p));
            out.add(new Probe(81, p));
        }
        return out;
    }

    /**
     * Parses {@code 80/TCP}.
     *
     * @throws IllegalArgumentException naming the text when it is not a port/protocol
     */
    public static Probe parse(String text) {
        String[] parts = text.trim().split("/");
        try {
            return new Probe(Integer.parseInt(parts[0]), Protocol.parse(parts[1]).orElseThrow());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a probe like 80/TCP", e);
        }
    }

    @Override
    public String toString() {
        return port + "/" + protocol;
    }
}
