package dev.clustermesh.core.policy;

/** A container port a pod declares by name, which a policy port can refer to. */
public record NamedPort(int port, Protocol protocol) {
    @Override
    public String toString() {
        return port + "/" + protocol;
    }
}
