package dev.clustermesh.core.policy;

/**
 * The port side of a program entry: every protocol and port, or one protocol with a port range ({@code first ==
 * last} for a single port, {@code 0..65535} for every port of the protocol). Named ports are already resolved.
 *
 * @param protocol the protocol, null for every protocol (then the range is 0..65535)
 */
public record PortMatch(Protocol protocol, int first, int last) {
    /** Every protocol, every port. */
    public static final PortMatch ANY = new PortMatch(null, 0, 65535);

    public boolean isAnyPort() {
        return first == 0 && last == 65535;
    }

    public boolean matches(Protocol protocol, int port) {
        return (this.protocol == null || this.protocol == protocol) && port >= first && port <= last;
    }

    @Override
    public String toString() {
        String ports = isAnyPort() ? "*" : first == last ? Integer.toString(first) : first + "-" + last;
        return protocol == null ? "any" : ports + "/" + protocol;
    }
}
