package dev.clustermesh.core.keys;

import java.util.Optional;

/** The policy kinds a cluster exports under {@code mesh/v1/local/policies/<cluster>/<kind>/}. */
public enum PolicyKind {
    /** Kubernetes {@code networking.k8s.io/v1 NetworkPolicy}. */
    NETWORK_POLICY("networkpolicy", "networking.k8s.io/v1", "NetworkPolicy"),
    /** Cilium {@code cilium.io/v2 CiliumNetworkPolicy} (namespaced). */
    CILIUM_NETWORK_POLICY("ciliumnetworkpolicy", "cilium.io/v2", "CiliumNetworkPolicy");

    private final String segment;
    private final String apiVersion;
    private final String kind;

    PolicyKind(String segment, String apiVersion, String kind) {
        this.segment = segment;
        this.apiVersion = apiVersion;
        this.kind = kind;
    }

    /** The key segment, e.g. {@code networkpolicy}. */
    public String segment() {
        return segment;
    }

    /** The Kubernetes apiVersion the exporter accepts, e.g. {@code networking.k8s.io/v1}. */
    public String apiVersion() {
        return apiVersion;
    }

    /** The Kubernetes kind, e.g. {@code NetworkPolicy}. */
    public String kind() {
        return kind;
    }

    /** Finds the policy kind for a key segment, or empty when there is none. */
    public static Optional<PolicyKind> fromSegment(String segment) {
        for (PolicyKind k : values()) {
            if (k.segment.equals(segment)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** Finds the policy kind for a Kubernetes kind name ({@code NetworkPolicy}), or empty when there is none. */
    public static Optional<PolicyKind> fromKind(String kind) {
        for (PolicyKind k : values()) {
            if (k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
