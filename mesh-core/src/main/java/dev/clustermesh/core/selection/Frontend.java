package dev.clustermesh.core.selection;

import dev.clustermesh.proto.mesh.v1.Protocol;

/**
 * One address:port/protocol on which the local cluster serves a global service.
 *
 * @param ip the local ClusterIP
 * @param portName the service port's name, empty for a single unnamed port
 * @param protocol the L4 protocol
 * @param port the service port number
 */
public record Frontend(String ip, String portName, Protocol protocol, int port) {
    @Override
    public String toString() {
        String host = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
        return host + ":" + port + "/" + protocol.name();
    }
}
