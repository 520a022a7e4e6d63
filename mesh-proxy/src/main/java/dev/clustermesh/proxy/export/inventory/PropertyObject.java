package dev.clustermesh.proxy.export.inventory;

/**
 * A ClusterProperty (about.k8s.io/v1alpha1, KEP-2149): a cluster-scoped property of this cluster, named by the
 * object, valued by {@code spec.value}.
 *
 * @param name metadata.name, e.g. {@code cluster.clusterset.k8s.io} or {@code region.topology.k8s.io}
 * @param value spec.value (empty when unset)
 */
public record PropertyObject(String name, String value) {
    public PropertyObject {
        value = value == null ? "" : value;
    }

    /** Cluster-scoped: no namespace. */
    public ObjectRef ref() {
        return new ObjectRef("", name);
    }
}
