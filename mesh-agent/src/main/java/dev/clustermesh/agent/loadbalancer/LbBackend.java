package dev.clustermesh.agent.loadbalancer;

import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.Protocol;

/**
 * An entry of the backends map.
 *
 * @param id the backend ID, stable while the backend exists
 * @param ip the backend address
 * @param protocol the L4 protocol
 * @param port the target port
 * @param cluster the cluster that exported it
 * @param clusterId that cluster's ID
 * @param state active or terminating
 */
public record LbBackend(int id, String ip, Protocol protocol, int port, String cluster, int clusterId,
        BackendState state) {

    /** The identity under which the ID is kept: everything but the state, which may change in place. */
    public Key key() {
        return new Key(cluster, ip, protocol, port);
    }

    /** What makes two backends the same backend. */
    public record Key(String cluster, String ip, Protocol protocol, int port) {
    }

    /** {@code ip:port/PROTO}. */
    public String address() {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port + "/" + protocol.name();
    }
}
