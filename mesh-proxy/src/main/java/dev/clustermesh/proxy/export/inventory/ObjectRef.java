package dev.clustermesh.proxy.export.inventory;

import java.util.Comparator;
import java.util.Objects;

/**
 * Namespace and name of a source object; cluster-scoped objects (Nodes) have an empty namespace.
 *
 * @param namespace the namespace, empty for cluster-scoped objects
 * @param name the object name
 */
public record ObjectRef(String namespace, String name) implements Comparable<ObjectRef> {
    private static final Comparator<ObjectRef> ORDER =
            Comparator.comparing(ObjectRef::namespace).thenComparing(ObjectRef::name);

    public ObjectRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public int compareTo(ObjectRef other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? name : namespace + '/' + name;
    }
}
