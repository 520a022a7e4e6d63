package dev.clustermesh.proxy.export.inventory;

/**
 * A port of a Service (frontend) or of an EndpointSlice (backend target).
 *
 * @param name the port name, empty when unnamed
 * @param protocol the Kubernetes protocol name ({@code TCP}, {@code UDP}, {@code SCTP})
 * @param port the port number
 */
public record PortSpec(String name, String protocol, int port) {
    public PortSpec {
        name = name == null ? "" : name;
        protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }
}
