package dev.clustermesh.core.policy;

import java.util.Map;
import java.util.Optional;

/**
 * One port clause of a rule: a protocol with all its ports, one port, a range {@code port..endPort}, or a named
 * port that is resolved on the destination pod when traffic is checked.
 *
 * @param protocol the protocol
 * @param port the first port, 0 for every port of the protocol (and for a named port)
 * @param endPort the last port, equal to {@code port} for a single port, 0 with {@code port} 0
 * @param name the port name, empty unless it is a named port
 */
public record PortRule(Protocol protocol, int port, int endPort, String name) {
    public PortRule {
        name = name == null ? "" : name;
    }

    /** Every port of {@code protocol}. */
    public static PortRule any(Protocol protocol) {
        return new PortRule(protocol, 0, 0, "");
    }

    public boolean isNamed() {
        return !name.isEmpty();
    }

    /**
     * Whether traffic to {@code port}/{@code protocol} of a pod with {@code destinationPorts} matches this clause.
     * A named clause never matches a destination that does not declare the name (e.g. an address outside the mesh).
     */
    public boolean matches(Protocol protocol, int port, Map<String, NamedPort> destinationPorts) {
        if (protocol != this.protocol) {
            return false;
        }
        if (isNamed()) {
            return resolve(destinationPorts).map(p -> p == port).orElse(false);
        }
        return this.port == 0 || (port >= this.port && port <= endPort);
    }

    /** The number the destination gives this clause's name, if it declares it for this clause's protocol. */
    public Optional<Integer> resolve(Map<String, NamedPort> destinationPorts) {
        NamedPort p = destinationPorts.get(name);
        return p != null && p.protocol() == protocol ? Optional.of(p.port()) : Optional.empty();
    }

    @Override
    public String toString() {
        String what = isNamed() ? name : port == 0 ? "*" : port == endPort ? Integer.toString(port) : port + "-" + endPort;
        return what + "/" + protocol;
    }
}
