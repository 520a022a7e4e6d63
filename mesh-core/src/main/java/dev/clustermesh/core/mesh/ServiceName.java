package dev.clustermesh.core.mesh;

/**
 * A service's namespace and name: what global services are merged by.
 *
 * @param namespace the namespace
 * @param name the service name
 */
public record ServiceName(String namespace, String name) implements Comparable<ServiceName> {
    @Override
    public int compareTo(ServiceName o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
