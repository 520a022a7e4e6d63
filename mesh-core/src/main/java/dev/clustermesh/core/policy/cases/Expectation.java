package dev.clustermesh.core.policy.cases;

import java.util.List;

/**
 * The expected matrix for some probes, written as e2e's {@code Reachability} builds it: a default, then overrides
 * applied in order, the last matching one winning.
 *
 * @param probes the probes this expectation is for
 * @param defaultAllowed the verdict for pairs no override names
 * @param overrides lines {@code <from> -> <to> allow|deny}, patterns as in {@link Target#matches}
 */
public record Expectation(List<Probe> probes, boolean defaultAllowed, List<String> overrides) {
    public Expectation {
        probes = List.copyOf(probes);
        overrides = List.copyOf(overrides);
        overrides.forEach(Expectation::split);
    }

    /** The expected verdict from {@code from} to {@code to}. */
    public boolean allowed(Target from, Target to) {
        boolean allowed = defaultAllowed;
        for (String line : overrides) {
            String[] p = split(line);
            if (from.matches(p[0]) && to.matches(p[2])) {
                allowed = p[3].equals("allow");
            }
        }
        return allowed;
    }

    private static String[] split(String line) {
        String[] p = line.trim().split("\\s+");
        if (p.length != 4 || !p[1].equals("->") || !(p[3].equals("allow") || p[3].equals("deny"))) {
            throw new IllegalArgumentException("'" + line + "' is not '<from> -> <to> allow|deny'");
        }
        return p;
    }
}
