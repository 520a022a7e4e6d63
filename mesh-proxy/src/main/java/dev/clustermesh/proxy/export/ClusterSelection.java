package dev.clustermesh.proxy.export;

import dev.clustermesh.proto.mesh.v1.ClusterSelector;
import dev.clustermesh.proto.mesh.v1.ClusterSelectorResult;
import dev.clustermesh.proto.mesh.v1.PropertyRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates ServiceExport cluster selectors (KEP-5939) for one importing cluster. Pure.
 *
 * <p>A cluster's properties are its ClusterProperties plus {@value #CLUSTER_PROPERTY} = its mesh name when it has no
 * such property. {@value #SAME_AS_IMPORTER} in a matchProperties value or an In/NotIn value is replaced by the
 * importer's value of that property; a selector naming a property the importer lacks that way selects no cluster.
 * Otherwise the selector matches as a {@code metav1.LabelSelector} over the properties: every matchProperties entry
 * and every expression must hold (NotIn and DoesNotExist hold for a cluster without the property).
 */
final class ClusterSelection {
    static final String SAME_AS_IMPORTER = "@SameAsImporter@";
    static final String CLUSTER_PROPERTY = "cluster.clusterset.k8s.io";

    private ClusterSelection() {
    }

    /** {@code properties} with {@value #CLUSTER_PROPERTY} = {@code cluster} added when missing, sorted. */
    static Map<String, String> withClusterName(String cluster, Map<String, String> properties) {
        Map<String, String> out = new TreeMap<>(properties);
        out.putIfAbsent(CLUSTER_PROPERTY, cluster);
        return out;
    }

    /** {@code s} with each {@value #SAME_AS_IMPORTER} the importer has a value for replaced by that value. */
    static ClusterSelector resolve(ClusterSelector s, Map<String, String> importer) {
        ClusterSelector.Builder b = ClusterSelector.newBuilder();
        Map<String, String> props = new TreeMap<>();
        s.getMatchPropertiesMap().forEach((k, v) -> props.put(k, SAME_AS_IMPORTER.equals(v)
                ? importer.getOrDefault(k, SAME_AS_IMPORTER) : v));
        b.putAllMatchProperties(props);
        for (PropertyRequirement r : s.getMatchExpressionsList()) {
            PropertyRequirement.Builder rb = r.toBuilder().clearValues();
            r.getValuesList().forEach(v -> rb.addValues(SAME_AS_IMPORTER.equals(v)
                    ? importer.getOrDefault(r.getKey(), SAME_AS_IMPORTER) : v));
            b.addMatchExpressions(rb);
        }
        return b.build();
    }

    /**
     * The clusters each resolved selector selects, in order, out of {@code clusters} (name to properties, with
     * {@link #withClusterName}); each result sorted by name.
     */
    static List<ClusterSelectorResult> results(List<ClusterSelector> resolved, Map<String, Map<String, String>> clusters) {
        List<ClusterSelectorResult> out = new ArrayList<>();
        for (ClusterSelector s : resolved) {
            ClusterSelectorResult.Builder r = ClusterSelectorResult.newBuilder();
            new TreeMap<>(clusters).forEach((name, props) -> {
                if (matches(s, props)) {
                    r.addClusters(name);
                }
            });
            out.add(r.build());
        }
        return out;
    }

    /** True when the resolved selector {@code s} selects a cluster with {@code props}. */
    static boolean matches(ClusterSelector s, Map<String, String> props) {
        if (unresolved(s)) {
            return false;
        }
        for (Map.Entry<String, String> e : s.getMatchPropertiesMap().entrySet()) {
            if (!e.getValue().equals(props.get(e.getKey()))) {
                return false;
            }
        }
        for (PropertyRequirement r : s.getMatchExpressionsList()) {
            String value = props.get(r.getKey());
            boolean holds = switch (r.getOperator()) {
                case "In" -> value != null && r.getValuesList().contains(value);
                case "NotIn" -> value == null || !r.getValuesList().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false; // refused when read; never matches
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private static boolean unresolved(ClusterSelector s) {
        return s.getMatchPropertiesMap().containsValue(SAME_AS_IMPORTER)
                || s.getMatchExpressionsList().stream().anyMatch(r -> r.getValuesList().contains(SAME_AS_IMPORTER));
    }
}
