package dev.clustermesh.agent.loadbalancer;

import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.Comparator;

/**
 * The key of the services map.
 *
 * @param ip the ClusterIP
 * @param protocol the L4 protocol
 * @param port the service port
 */
public record LbFrontend(String ip, Protocol protocol, int port) implements Comparable<LbFrontend> {
    private static final Comparator<LbFrontend> ORDER = Comparator.comparing(LbFrontend::ip)
            .thenComparing(LbFrontend::protocol).thenComparingInt(LbFrontend::port);

    @Override
    public int compareTo(LbFrontend o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port + "/" + protocol.name();
    }
}
