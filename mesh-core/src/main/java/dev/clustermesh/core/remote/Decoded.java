package dev.clustermesh.core.remote;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;

/** Decoding and checking of values read from a cluster: a value must agree with its key. */
final class Decoded {
    private Decoded() {
    }

    static ClusterService service(MeshKey.Service key, byte[] value) throws InvalidProtocolBufferException {
        ClusterService s = ClusterService.parseFrom(value);
        if (!s.getCluster().equals(key.cluster()) || !s.getNamespace().equals(key.namespace())
                || !s.getName().equals(key.name())) {
            throw new InvalidProtocolBufferException("value names " + s.getCluster() + "/" + s.getNamespace() + "/"
                    + s.getName() + ", not the key's " + key.cluster() + "/" + key.namespace() + "/" + key.name());
        }
        return s;
    }

    static ServiceImport serviceImport(MeshKey.Import key, byte[] value) throws InvalidProtocolBufferException {
        ServiceImport i = ServiceImport.parseFrom(value);
        if (!i.getCluster().equals(key.cluster()) || !i.getNamespace().equals(key.namespace())
                || !i.getName().equals(key.name())) {
            throw new InvalidProtocolBufferException("value names " + i.getCluster() + "/" + i.getNamespace() + "/"
                    + i.getName() + ", not the key's " + key.cluster() + "/" + key.namespace() + "/" + key.name());
        }
        return i;
    }

    static Node node(MeshKey.Node key, byte[] value) throws InvalidProtocolBufferException {
        Node n = Node.parseFrom(value);
        if (!n.getName().equals(key.node())) {
            throw new InvalidProtocolBufferException("value names node " + n.getName() + ", not " + key.node());
        }
        return n;
    }

    static Endpoint endpoint(MeshKey.Endpoint key, byte[] value) throws InvalidProtocolBufferException {
        Endpoint e = Endpoint.parseFrom(value);
        if (!e.getIp().equals(key.ip())) {
            throw new InvalidProtocolBufferException("value has IP " + e.getIp() + ", not " + key.ip());
        }
        return e;
    }

    /**
     * The cluster's identity from its ClusterConfig.
     *
     * @throws IllegalStateException naming what is wrong when the config is missing, unreadable, names another
     *         cluster or has an invalid ID
     */
    static ClusterIdentity config(String expected, byte[] value) {
        ClusterConfig c = clusterConfig(expected, value);
        return new ClusterIdentity(c.getName(), c.getId());
    }

    /**
     * The cluster's ClusterConfig, checked as {@link #config(String, byte[])} checks it.
     *
     * @throws IllegalStateException as {@link #config(String, byte[])}
     */
    static ClusterConfig clusterConfig(String expected, byte[] value) {
        if (value == null) {
            throw new IllegalStateException("no ClusterConfig at mesh/v1/config/" + expected
                    + " (is the cluster's mesh-proxy exporting?)");
        }
        ClusterConfig c;
        try {
            c = ClusterConfig.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("ClusterConfig of " + expected + " is not a valid mesh.v1.ClusterConfig");
        }
        if (!c.getName().equals(expected)) {
            throw new IllegalStateException("ClusterConfig names cluster '" + c.getName()
                    + "' but this connection is configured for '" + expected + "'");
        }
        ClusterIdentity.idProblem(c.getId()).ifPresent(p -> {
            throw new IllegalStateException("ClusterConfig of " + expected + ": " + p);
        });
        return c;
    }
}
