package dev.clustermesh.proxy.export.inventory;

import dev.clustermesh.core.keys.PolicyKind;
import java.util.Objects;

/**
 * A NetworkPolicy or CiliumNetworkPolicy, kept as the JSON document that is exported.
 *
 * @param kind which policy kind
 * @param ref namespace and name
 * @param json the object as one JSON object with keys {@code apiVersion}, {@code kind}, {@code metadata}
 *     ({@code name}, {@code namespace}, {@code uid}, {@code generation}, {@code labels}; absent ones left out) and
 *     {@code spec} (and {@code specs} for a CiliumNetworkPolicy that has it); map keys sorted at every level
 */
public record PolicyObject(PolicyKind kind, ObjectRef ref, String json) {
    public PolicyObject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(json, "json");
    }
}
