package dev.clustermesh.core.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The policies one cluster holds, each applied or refused. Policies only act in the cluster that holds them.
 *
 * @param cluster the holding cluster's name
 * @param statuses one per object, sorted by namespace, name and kind so evaluation order is deterministic
 */
public record PolicySet(String cluster, List<PolicyStatus> statuses) {
    public PolicySet {
        statuses = statuses.stream().sorted(Comparator.comparing(PolicyStatus::ref)).toList();
    }

    /** Parses every object; a bad object is refused alone and never affects the others. */
    public static PolicySet parse(String cluster, List<Map<String, Object>> objects) {
        List<PolicyStatus> out = new ArrayList<>();
        for (Map<String, Object> o : objects) {
            out.add(PolicyParser.parse(o));
        }
        return new PolicySet(cluster, out);
    }

    /** An empty set: no pod of {@code cluster} is isolated. */
    public static PolicySet empty(String cluster) {
        return new PolicySet(cluster, List.of());
    }

    /** The applied policies, in order. */
    public List<Policy> applied() {
        return statuses.stream().flatMap(s -> s.policy().stream()).toList();
    }

    /** Every warning of every refused policy. */
    public List<PolicyWarning> warnings() {
        return statuses.stream().flatMap(s -> s.warnings().stream()).toList();
    }
}
