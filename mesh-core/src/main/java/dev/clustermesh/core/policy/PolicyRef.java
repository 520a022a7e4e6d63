package dev.clustermesh.core.policy;

import java.util.Comparator;

/**
 * Names one policy object: kind, namespace and name, as users see it in warnings and explanations.
 *
 * @param kind {@code NetworkPolicy} or {@code CiliumNetworkPolicy} (or whatever kind a refused object had)
 * @param namespace the object's namespace, empty when it had none
 * @param name the object's name, empty when it had none
 */
public record PolicyRef(String kind, String namespace, String name) implements Comparable<PolicyRef> {
    public static final String NETWORK_POLICY = "NetworkPolicy";
    public static final String CILIUM_NETWORK_POLICY = "CiliumNetworkPolicy";

    private static final Comparator<PolicyRef> ORDER = Comparator.comparing(PolicyRef::namespace)
            .thenComparing(PolicyRef::name).thenComparing(PolicyRef::kind);

    public PolicyRef {
        kind = kind == null ? "" : kind;
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
    }

    @Override
    public int compareTo(PolicyRef o) {
        return ORDER.compare(this, o);
    }

    /** {@code NetworkPolicy x/allow-a}. */
    @Override
    public String toString() {
        return kind + " " + namespace + "/" + name;
    }
}
