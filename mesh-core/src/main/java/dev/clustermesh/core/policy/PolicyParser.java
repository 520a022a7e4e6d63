package dev.clustermesh.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns one Kubernetes object, decoded to a generic tree (as snakeyaml or a JSON decoder yields it), into a policy
 * or a refusal. Accepts {@code networking.k8s.io/v1 NetworkPolicy} and {@code cilium.io/v2 CiliumNetworkPolicy}
 * (L3/L4 subset, {@code spec} and/or {@code specs}).
 *
 * <p>Never throws for bad input: every problem becomes a {@link PolicyWarning} naming the policy, the field path
 * and what is wrong, and a policy with any warning is refused as a whole (as Cilium does), leaving others alone.
 */
public final class PolicyParser {
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    private static final Set<String> CNP_TOP = Set.of("apiVersion", "kind", "metadata", "spec", "specs", "status");

    private PolicyParser() {
    }

    /** Parses one object; the status is applied when no warning was found, refused otherwise. */
    public static PolicyStatus parse(Map<String, Object> object) {
        PolicyRef ref = ref(object);
        ParseContext ctx = new ParseContext(ref);
        List<PolicySpec> specs = new ArrayList<>();
        try {
            specs = specs(ctx, object);
        } catch (RuntimeException e) {
            // A parser bug must not take other policies down with it: refuse this one and say so.
            ctx.warn("", "could not be parsed: " + e);
        }
        List<PolicyWarning> warnings = ctx.warnings();
        Optional<Policy> policy = warnings.isEmpty() ? Optional.of(new Policy(ref, specs)) : Optional.empty();
        return new PolicyStatus(ref, policy, warnings);
    }

    private static PolicyRef ref(Map<String, Object> object) {
        Object meta = object == null ? null : object.get("metadata");
        Map<?, ?> m = meta instanceof Map<?, ?> mm ? mm : Map.of();
        return new PolicyRef(text(object == null ? null : object.get("kind")), text(m.get("namespace")),
                text(m.get("name")));
    }

    private static String text(Object o) {
        return o instanceof String s ? s : "";
    }

    private static List<PolicySpec> specs(ParseContext ctx, Map<String, Object> object) {
        if (object == null) {
            ctx.warn("", "is not an object");
            return List.of();
        }
        Object apiVersion = object.get("apiVersion");
        String kind = ctx.ref().kind();
        boolean np = PolicyRef.NETWORK_POLICY.equals(kind) && "networking.k8s.io/v1".equals(apiVersion);
        boolean cnp = PolicyRef.CILIUM_NETWORK_POLICY.equals(kind) && "cilium.io/v2".equals(apiVersion);
        if (!np && !cnp) {
            ctx.warn("kind", "'" + apiVersion + " " + kind + "' is not networking.k8s.io/v1 NetworkPolicy or "
                    + "cilium.io/v2 CiliumNetworkPolicy");
            return List.of();
        }
        ctx.fields(object, "", np ? TOP : CNP_TOP, Map.of());
        Map<String, Object> meta = ctx.object(object.get("metadata"), "metadata");
        if (ctx.ref().name().isEmpty()) {
            ctx.warn("metadata.name", "is missing");
        }
        if (meta != null && ctx.ref().namespace().isEmpty()) {
            ctx.warn("metadata.namespace", "is missing");
        }
        if (np) {
            Map<String, Object> spec = ctx.object(object.get("spec"), "spec");
            return spec == null ? List.of() : List.of(NetworkPolicyParser.spec(ctx, spec));
        }
        return ciliumSpecs(ctx, object);
    }

    private static List<PolicySpec> ciliumSpecs(ParseContext ctx, Map<String, Object> object) {
        List<PolicySpec> out = new ArrayList<>();
        if (object.containsKey("spec")) {
            Map<String, Object> spec = ctx.object(object.get("spec"), "spec");
            if (spec != null) {
                out.add(CiliumPolicyParser.spec(ctx, spec, "spec"));
            }
        }
        List<Object> specs = ctx.list(object.get("specs"), "specs");
        for (int i = 0; i < specs.size(); i++) {
            String path = ParseContext.at("specs", i);
            Map<String, Object> spec = ctx.object(specs.get(i), path);
            if (spec != null) {
                out.add(CiliumPolicyParser.spec(ctx, spec, path));
            }
        }
        if (!object.containsKey("spec") && specs.isEmpty()) {
            ctx.warn("spec", "is missing (a CiliumNetworkPolicy needs spec or specs)");
        }
        return out;
    }
}
