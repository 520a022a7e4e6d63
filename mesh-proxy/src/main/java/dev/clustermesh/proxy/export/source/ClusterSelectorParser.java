package dev.clustermesh.proxy.export.source;

import dev.clustermesh.proto.mesh.v1.ClusterSelector;
import dev.clustermesh.proto.mesh.v1.PropertyRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads {@code ServiceExport.spec.clusterSelectors} (KEP-5939) from a generic resource's spec and validates it as the
 * KEP says: at most {@value #MAX_SELECTORS} entries, each with exactly a non-empty {@code propertySelector} whose keys
 * are ClusterProperty names (DNS subdomains) and whose expressions follow {@code metav1.LabelSelector}'s rules; values
 * are free text. The first problem found is reported with its path.
 */
final class ClusterSelectorParser {
    static final int MAX_SELECTORS = 16;
    static final String SAME_AS_IMPORTER = "@SameAsImporter@";
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private ClusterSelectorParser() {
    }

    /** Thrown with what is wrong, the field's path first. */
    static final class InvalidSelector extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidSelector(String message) {
            super(message);
        }
    }

    /** The selectors of {@code spec} (a ServiceExport's spec, may be null); none when the field is absent. */
    static List<ClusterSelector> parse(Object spec) throws InvalidSelector {
        Object raw = spec instanceof Map<?, ?> m ? m.get("clusterSelectors") : null;
        if (raw == null) {
            return List.of();
        }
        if (!(raw instanceof List<?> list)) {
            throw new InvalidSelector("spec.clusterSelectors must be a list");
        }
        if (list.size() > MAX_SELECTORS) {
            throw new InvalidSelector("spec.clusterSelectors has " + list.size() + " entries; at most "
                    + MAX_SELECTORS + " are allowed");
        }
        List<ClusterSelector> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(entry("spec.clusterSelectors[" + i + "]", list.get(i)));
        }
        return out;
    }

    private static ClusterSelector entry(String path, Object raw) throws InvalidSelector {
        if (!(raw instanceof Map<?, ?> entry)) {
            throw new InvalidSelector(path + " must be an object with a propertySelector");
        }
        for (Object k : entry.keySet()) {
            if (!"propertySelector".equals(k)) {
                throw new InvalidSelector(path + " has field '" + k + "': only propertySelector is supported");
            }
        }
        Object ps = entry.get("propertySelector");
        if (!(ps instanceof Map<?, ?> selector)) {
            throw new InvalidSelector(path + " has no propertySelector");
        }
        path += ".propertySelector";
        ClusterSelector.Builder b = ClusterSelector.newBuilder();
        for (Object k : selector.keySet()) {
            if (!"matchProperties".equals(k) && !"matchExpressions".equals(k)) {
                throw new InvalidSelector(path + " has unknown field '" + k + "'");
            }
        }
        Object props = selector.get("matchProperties");
        if (props != null) {
            if (!(props instanceof Map<?, ?> pm)) {
                throw new InvalidSelector(path + ".matchProperties must be a map of property names to values");
            }
            Map<String, String> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> e : pm.entrySet()) {
                String key = key(path + ".matchProperties", e.getKey());
                sorted.put(key, value(path + ".matchProperties." + key, e.getValue()));
            }
            b.putAllMatchProperties(sorted);
        }
        Object exprs = selector.get("matchExpressions");
        if (exprs != null) {
            if (!(exprs instanceof List<?> el)) {
                throw new InvalidSelector(path + ".matchExpressions must be a list");
            }
            for (int j = 0; j < el.size(); j++) {
                b.addMatchExpressions(requirement(path + ".matchExpressions[" + j + "]", el.get(j)));
            }
        }
        if (b.getMatchPropertiesCount() == 0 && b.getMatchExpressionsCount() == 0) {
            throw new InvalidSelector(path + " is empty: it needs matchProperties or matchExpressions");
        }
        return b.build();
    }

    private static PropertyRequirement requirement(String path, Object raw) throws InvalidSelector {
        if (!(raw instanceof Map<?, ?> m)) {
            throw new InvalidSelector(path + " must be an object with key, operator and values");
        }
        for (Object k : m.keySet()) {
            if (!"key".equals(k) && !"operator".equals(k) && !"values".equals(k)) {
                throw new InvalidSelector(path + " has unknown field '" + k + "'");
            }
        }
        String key = key(path + ".key", m.get("key"));
        Object op = m.get("operator");
        if (!(op instanceof String operator) || !OPERATORS.contains(operator)) {
            throw new InvalidSelector(path + ".operator is '" + op + "'; expected one of In, NotIn, Exists, "
                    + "DoesNotExist");
        }
        Object rawValues = m.get("values");
        List<String> values = new ArrayList<>();
        if (rawValues != null) {
            if (!(rawValues instanceof List<?> vl)) {
                throw new InvalidSelector(path + ".values must be a list of strings");
            }
            for (int k = 0; k < vl.size(); k++) {
                values.add(value(path + ".values[" + k + "]", vl.get(k)));
            }
        }
        boolean set = operator.equals("In") || operator.equals("NotIn");
        if (set && values.isEmpty()) {
            throw new InvalidSelector(path + ": operator " + operator + " needs at least one value");
        }
        if (!set && !values.isEmpty()) {
            throw new InvalidSelector(path + ": operator " + operator + " takes no values");
        }
        return PropertyRequirement.newBuilder().setKey(key).setOperator(operator).addAllValues(values).build();
    }

    private static String key(String path, Object raw) throws InvalidSelector {
        if (!(raw instanceof String key) || key.isEmpty() || key.length() > 253 || !SUBDOMAIN.matcher(key).matches()) {
            throw new InvalidSelector(path + " '" + raw + "' is not a ClusterProperty name (a lowercase DNS "
                    + "subdomain such as region.topology.k8s.io)");
        }
        return key;
    }

    private static String value(String path, Object raw) throws InvalidSelector {
        if (!(raw instanceof String s)) {
            throw new InvalidSelector(path + " must be a string, not " + (raw == null ? "null" : "'" + raw + "'"));
        }
        return s;
    }
}
