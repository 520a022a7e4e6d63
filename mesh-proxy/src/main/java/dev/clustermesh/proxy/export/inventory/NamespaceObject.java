package dev.clustermesh.proxy.export.inventory;

import java.util.Map;

/**
 * What the export needs of a Kubernetes Namespace: its labels, which become part of its pods' identities.
 *
 * @param name the namespace name
 * @param labels metadata.labels
 */
public record NamespaceObject(String name, Map<String, String> labels) {
    /** The label the API server puts on every namespace, holding its name. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public NamespaceObject {
        labels = Map.copyOf(labels);
    }

    /** What a namespace that the source does not hold (a manifest directory without it) is taken to be. */
    public static NamespaceObject implicit(String name) {
        return new NamespaceObject(name, Map.of(NAME_LABEL, name));
    }

    /** The namespace as an object reference (cluster-scoped: empty namespace). */
    public ObjectRef ref() {
        return new ObjectRef("", name);
    }
}
