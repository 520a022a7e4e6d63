package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.policy.PolicyCounter;
import dev.clustermesh.core.policy.RuleRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy table's counters, read from {@code nft -t list table inet clustermesh_policy} (set contents left
 * out): every entry rule is counted and commented with a key of its policy rule, every isolated pod's chain ends
 * in a counted drop. Summed per policy, direction and verdict; the pods' chains are shared, so these are the
 * policy's totals over every local pod it applies to. Counters start again from zero when a chain is replaced
 * (another program), as Prometheus counters may.
 */
final class NftPolicyCounters {
    private static final Pattern CHAIN = Pattern.compile("^\\s*chain pe_\\w+_([ie]) \\{");
    private static final Pattern COUNTED = Pattern.compile(
            "counter packets (\\d+) bytes (\\d+) (accept|drop)(?: comment \"(\\w+)\")?");

    private NftPolicyCounters() {
    }

    /**
     * Parses the listing; a commented rule whose key {@code keys} does not know (the table changed since) is left
     * out.
     */
    static List<PolicyCounter> parse(String listing, Map<String, RuleRef> keys) {
        Map<List<String>, long[]> sums = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        String direction = null;
        for (String line : listing.split("\n")) {
            Matcher chain = CHAIN.matcher(line);
            if (chain.find()) {
                direction = chain.group(1).equals("i") ? "ingress" : "egress";
                continue;
            }
            Matcher m = COUNTED.matcher(line);
            if (direction == null || !m.find()) {
                continue;
            }
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
            long[] sum = sums.computeIfAbsent(List.of(policy, direction, m.group(3).equals("accept") ? "allowed"
                    : "denied"), k -> new long[2]);
            sum[0] += Long.parseLong(m.group(1));
            sum[1] += Long.parseLong(m.group(2));
        }
        List<PolicyCounter> out = new ArrayList<>();
        sums.forEach((k, v) -> out.add(new PolicyCounter(k.get(0), k.get(1), k.get(2), v[0], v[1])));
        return out;
    }
}
