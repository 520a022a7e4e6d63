package dev.clustermesh.core.policy;

import dev.clustermesh.core.policy.LabelSelector.Operator;
import dev.clustermesh.core.policy.LabelSelector.Requirement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses and validates label selectors, translating their keys to {@link PolicyEndpoint#selectionLabels()} keys. */
final class SelectorParser {
    private static final Set<String> FIELDS = Set.of("matchLabels", "matchExpressions");
    private static final Set<String> EXPRESSION_FIELDS = Set.of("key", "operator", "values");

    /** Whose labels a selector's keys name. */
    enum Keys {
        /** A Kubernetes pod selector: pod labels (and the cluster label). */
        POD,
        /** A Kubernetes namespace selector: namespace labels, except the cluster label, which names the cluster. */
        NAMESPACE,
        /** A Cilium endpoint selector: Cilium label keys, optionally with a {@code k8s:} or {@code any:} source. */
        CILIUM
    }

    private SelectorParser() {
    }

    /** The selector at {@code path}; an absent one selects everything. */
    static LabelSelector parse(ParseContext ctx, Object node, String path, Keys keys) {
        Map<String, Object> m = ctx.object(node, path);
        if (m == null) {
            return LabelSelector.ALL;
        }
        ctx.fields(m, path, FIELDS, Map.of());
        List<Requirement> reqs = new ArrayList<>();
        Map<String, Object> labels = ctx.object(m.get("matchLabels"), path + ".matchLabels");
        if (labels != null) {
            labels.forEach((k, v) -> {
                String p = path + ".matchLabels." + k;
                String key = key(ctx, k, p, keys);
                String value = v instanceof String s ? s : v instanceof Number || v instanceof Boolean ? v.toString() : null;
                if (value == null || !validValue(value)) {
                    ctx.warn(p, "'" + v + "' is not a valid label value");
                } else if (key != null) {
                    reqs.add(Requirement.equal(key, value));
                }
            });
        }
        List<Object> exprs = ctx.list(m.get("matchExpressions"), path + ".matchExpressions");
        for (int i = 0; i < exprs.size(); i++) {
            Requirement r = expression(ctx, exprs.get(i), ParseContext.at(path + ".matchExpressions", i), keys);
            if (r != null) {
                reqs.add(r);
            }
        }
        return new LabelSelector(reqs);
    }

    private static Requirement expression(ParseContext ctx, Object node, String path, Keys keys) {
        Map<String, Object> e = ctx.object(node, path);
        if (e == null) {
            return null;
        }
        ctx.fields(e, path, EXPRESSION_FIELDS, Map.of());
        String rawKey = ctx.string(e.get("key"), path + ".key");
        String op = ctx.string(e.get("operator"), path + ".operator");
        List<Object> rawValues = ctx.list(e.get("values"), path + ".values");
        if (rawKey == null) {
            ctx.warn(path + ".key", "is missing");
            return null;
        }
        String key = key(ctx, rawKey, path + ".key", keys);
        Operator operator = operator(op);
        if (operator == null) {
            ctx.warn(path + ".operator", "'" + op + "' is not one of In, NotIn, Exists, DoesNotExist");
            return null;
        }
        Set<String> values = new LinkedHashSet<>();
        for (int i = 0; i < rawValues.size(); i++) {
            Object v = rawValues.get(i);
            if (v instanceof String s && validValue(s)) {
                values.add(s);
            } else {
                ctx.warn(ParseContext.at(path + ".values", i), "'" + v + "' is not a valid label value");
            }
        }
        boolean needsValues = operator == Operator.IN || operator == Operator.NOT_IN;
        if (needsValues && rawValues.isEmpty()) {
            ctx.warn(path + ".values", "must not be empty for operator " + op);
        } else if (!needsValues && !rawValues.isEmpty()) {
            ctx.warn(path + ".values", "must be empty for operator " + op);
        }
        return key == null ? null : new Requirement(key, operator, values);
    }

    private static Operator operator(String op) {
        if (op == null) {
            return null;
        }
        return switch (op) {
            case "In" -> Operator.IN;
            case "NotIn" -> Operator.NOT_IN;
            case "Exists" -> Operator.EXISTS;
            case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
            default -> null;
        };
    }

    /** The selection-label key for {@code raw}, or null (with a warning) when it is not a valid key. */
    private static String key(ParseContext ctx, String raw, String path, Keys keys) {
        String k = raw;
        if (keys == Keys.CILIUM) {
            int colon = k.indexOf(':');
            if (colon >= 0) {
                String source = k.substring(0, colon);
                if (!source.equals("k8s") && !source.equals("any")) {
                    ctx.warn(path, "label source '" + source + "' is not supported (only k8s: and any:)");
                    return null;
                }
                k = k.substring(colon + 1);
            }
        }
        if (!validKey(k)) {
            ctx.warn(path, "'" + raw + "' is not a valid label key");
            return null;
        }
        if (keys == Keys.NAMESPACE && !k.equals(PolicyEndpoint.CLUSTER_LABEL)) {
            return PolicyEndpoint.NAMESPACE_LABEL_PREFIX + k;
        }
        return k;
    }

    static boolean validKey(String key) {
        return LabelSyntax.validKey(key);
    }

    static boolean validValue(String value) {
        return LabelSyntax.validValue(value);
    }
}
