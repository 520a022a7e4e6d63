package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.policy.PolicyCounter;
import dev.clustermesh.core.policy.RuleRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy table's counters, read from {@code nft -t list table inet clustermesh_policy} (set contents left
 * out): every entry rule is counted and commented with a key of its policy rule, every isolated pod's chain ends
 * in a counted drop. The chains are shared by the pods with the same program and replaced when that program
 * changes, so a policy's counts are spread over chains that come and go: {@link #add} keeps totals that only grow,
 * from what each rule counted since the last reading (a rule first seen counts from its creation; a chain gone
 * takes nothing away). Not thread-safe; the datapath reads under its own lock.
 */
final class NftPolicyCounters {
    private static final Pattern CHAIN = Pattern.compile("^\\s*chain (pe_\\w+_([ie])) \\{");
    private static final Pattern COUNTED = Pattern.compile(
            "counter packets (\\d+) bytes (\\d+) (accept|drop)(?: comment \"(\\w+)\")?");

    /** What one rule counted: {@code rule} names it for the table's life (chain and place; a chain never changes). */
    record Reading(String rule, List<String> key, long packets, long bytes) {
    }

    /** Per rule, what it had counted at the last reading. */
    private Map<String, long[]> last = new HashMap<>();
    /** Per policy, direction and verdict, the totals so far. */
    private final Map<List<String>, long[]> totals = new TreeMap<>(Comparator.comparing(Object::toString));

    /** Adds what every rule of {@code listing} counted since the last call; returns the totals. */
    List<PolicyCounter> add(String listing, Map<String, RuleRef> keys) {
        Map<String, long[]> now = new HashMap<>();
        for (Reading r : parse(listing, keys)) {
            long[] before = last.get(r.rule());
            // A rule's counter only grows; one that is smaller than last time is a new rule of the same place.
            boolean fresh = before == null || r.packets() < before[0] || r.bytes() < before[1];
            long[] sum = totals.computeIfAbsent(r.key(), k -> new long[2]);
            sum[0] += fresh ? r.packets() : r.packets() - before[0];
            sum[1] += fresh ? r.bytes() : r.bytes() - before[1];
            now.put(r.rule(), new long[] {r.packets(), r.bytes()});
        }
        last = now;
        // A policy no rule of the table names any more (deleted, or selecting no local pod) is no longer counted.
        java.util.Set<String> named = new java.util.HashSet<>();
        keys.values().forEach(r -> named.add(r.policy().toString()));
        named.add(PolicyCounter.DEFAULT_DENY);
        totals.keySet().removeIf(k -> !named.contains(k.get(0)));
        List<PolicyCounter> out = new ArrayList<>();
        totals.forEach((k, v) -> out.add(new PolicyCounter(k.get(0), k.get(1), k.get(2), v[0], v[1])));
        return out;
    }

    /**
     * Every counted rule of the listing with its policy, direction and verdict; a commented rule whose key
     * {@code keys} does not know (the table changed since) is left out.
     */
    static List<Reading> parse(String listing, Map<String, RuleRef> keys) {
        List<Reading> out = new ArrayList<>();
        String chain = null;
        String direction = null;
        int place = 0;
        for (String line : listing.split("\n")) {
            Matcher c = CHAIN.matcher(line);
            if (c.find()) {
                chain = c.group(1);
                direction = c.group(2).equals("i") ? "ingress" : "egress";
                place = 0;
                continue;
            }
            Matcher m = COUNTED.matcher(line);
            if (direction == null || !m.find()) {
                continue;
            }
            place++;
            String policy;
            if (m.group(4) == null) {
                policy = PolicyCounter.DEFAULT_DENY;
            } else {
                RuleRef rule = keys.get(m.group(4));
                if (rule == null) {
                    continue;
                }
                policy = rule.policy().toString();
            }
            out.add(new Reading(chain + "#" + place, List.of(policy, direction,
                    m.group(3).equals("accept") ? "allowed" : "denied"), Long.parseLong(m.group(1)),
                    Long.parseLong(m.group(2))));
        }
        return out;
    }
}
