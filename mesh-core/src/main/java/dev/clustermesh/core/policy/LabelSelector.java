package dev.clustermesh.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed Kubernetes label selector, already translated to the keys of {@link PolicyEndpoint#selectionLabels()}
 * (namespace labels carry {@value PolicyEndpoint#NAMESPACE_LABEL_PREFIX}, the namespace and cluster their own keys),
 * so one matching function serves pod selectors, namespace selectors and Cilium endpoint selectors alike.
 * No requirement selects everything.
 */
public record LabelSelector(List<Requirement> requirements) {
    /** Selects everything. */
    public static final LabelSelector ALL = new LabelSelector(List.of());

    public LabelSelector {
        requirements = List.copyOf(requirements);
    }

    /** The selector with {@code more} requirements added. */
    public LabelSelector and(List<Requirement> more) {
        List<Requirement> all = new ArrayList<>(requirements);
        all.addAll(more);
        return new LabelSelector(all);
    }

    /** True when every requirement holds for {@code labels}. */
    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) { // a loop, not a stream: compiles test selectors millions of times
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** True when some requirement is about {@code key}, whatever its operator. */
    public boolean names(String key) {
        for (Requirement r : requirements) {
            if (r.key().equals(key)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return requirements.isEmpty() ? "{}" : requirements.toString();
    }

    /** How a requirement compares a label with its values, as in Kubernetes {@code matchExpressions}. */
    public enum Operator {
        IN, NOT_IN, EXISTS, DOES_NOT_EXIST
    }

    /** One condition on one label; {@code matchLabels k: v} is {@code k In [v]}. */
    public record Requirement(String key, Operator operator, Set<String> values) {
        public Requirement {
            values = Set.copyOf(values);
        }

        /** {@code key In [value]}. */
        public static Requirement equal(String key, String value) {
            return new Requirement(key, Operator.IN, Set.of(value));
        }

        /** Whether {@code labels} satisfy the requirement; a missing label satisfies {@code NotIn}, as in Kubernetes. */
        public boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case IN -> v != null && values.contains(v);
                case NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
            };
        }

        @Override
        public String toString() {
            return switch (operator) {
                case IN -> key + " in " + new TreeSet<>(values);
                case NOT_IN -> key + " notin " + new TreeSet<>(values);
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }
}
