package dev.clustermesh.core.keys;

import dev.clustermesh.core.identity.NumericIdentity;

/**
 * One parsed key of the mesh layout. Every variant knows its cluster and renders its key text with
 * {@link #key()}; records validate their parts on construction (throwing {@link IllegalArgumentException}
 * naming the part).
 */
public sealed interface MeshKey {

    /** The cluster whose state this key holds. */
    String cluster();

    /** The etcd key text. */
    String key();

    /** True when a remote cluster may read this key through the proxy. */
    default boolean remoteReadable() {
        return true;
    }

    /** {@code mesh/v1/config/<cluster>}: the ClusterConfig. */
    record Config(String cluster) implements MeshKey {
        public Config {
            KeyParts.cluster(cluster);
        }

        @Override
        public String key() {
            return KeyLayout.CONFIG + cluster;
        }
    }

    /**
     * {@code mesh/v1/services/<cluster>/<ns>/<name>} when shared, else
     * {@code mesh/v1/local/services/<cluster>/<ns>/<name>}.
     */
    record Service(String cluster, String namespace, String name, boolean shared) implements MeshKey {
        public Service {
            KeyParts.service(cluster, namespace, name);
        }

        @Override
        public String key() {
            return (shared ? KeyLayout.SERVICES : KeyLayout.LOCAL_SERVICES) + cluster + '/' + namespace + '/' + name;
        }

        @Override
        public boolean remoteReadable() {
            return shared;
        }
    }

    /** {@code mesh/v1/nodes/<cluster>/<node>}. */
    record Node(String cluster, String node) implements MeshKey {
        public Node {
            KeyParts.cluster(cluster);
            KeyParts.subdomain("node name", node);
        }

        @Override
        public String key() {
            return KeyLayout.NODES + cluster + '/' + node;
        }
    }

    /** {@code mesh/v1/endpoints/<cluster>/<ip>}. */
    record Endpoint(String cluster, String ip) implements MeshKey {
        public Endpoint {
            KeyParts.cluster(cluster);
            KeyParts.ip(ip);
        }

        @Override
        public String key() {
            return KeyLayout.ENDPOINTS + cluster + '/' + ip;
        }
    }

    /**
     * {@code mesh/v1/identities/<cluster>/<id>}: a numeric security identity ({@code clusterId << 16 | local}),
     * in decimal.
     */
    record Identity(String cluster, long id) implements MeshKey {
        public Identity {
            KeyParts.cluster(cluster);
            if (!NumericIdentity.isAllocatable(id)) {
                throw new IllegalArgumentException("identity " + id
                        + " is not clusterId << 16 | local with a cluster ID of 1..255 and a local number of 1..65535");
            }
        }

        @Override
        public String key() {
            return KeyLayout.IDENTITIES + cluster + '/' + id;
        }
    }

    /** {@code mesh/v1/local/policies/<cluster>/<kind>/<ns>/<name>}: one policy, never readable by a remote. */
    record Policy(String cluster, PolicyKind kind, String namespace, String name) implements MeshKey {
        public Policy {
            KeyParts.cluster(cluster);
            if (kind == null) {
                throw new IllegalArgumentException("policy kind must not be null");
            }
            KeyParts.label("namespace", namespace);
            KeyParts.subdomain("policy name", name);
        }

        @Override
        public String key() {
            return KeyLayout.LOCAL_POLICIES + cluster + '/' + kind.segment() + '/' + namespace + '/' + name;
        }

        @Override
        public boolean remoteReadable() {
            return false;
        }
    }

    /** {@code mesh/v1/local/imports/<cluster>/<ns>/<name>}: a service this cluster imports; never readable by a remote. */
    record Import(String cluster, String namespace, String name) implements MeshKey {
        public Import {
            KeyParts.service(cluster, namespace, name);
        }

        @Override
        public String key() {
            return KeyLayout.LOCAL_IMPORTS + cluster + '/' + namespace + '/' + name;
        }

        @Override
        public boolean remoteReadable() {
            return false;
        }
    }

    /** {@code mesh/v1/local/exports/<cluster>/<ns>/<name>}: the status of a ServiceExport; never readable by a remote. */
    record ExportStatus(String cluster, String namespace, String name) implements MeshKey {
        public ExportStatus {
            KeyParts.service(cluster, namespace, name);
        }

        @Override
        public String key() {
            return KeyLayout.LOCAL_EXPORTS + cluster + '/' + namespace + '/' + name;
        }

        @Override
        public boolean remoteReadable() {
            return false;
        }
    }

    /** {@code mesh/v1/synced/<cluster>/<kind>}: the sync canary of one kind. */
    record Synced(String cluster, ResourceKind kind) implements MeshKey {
        public Synced {
            KeyParts.cluster(cluster);
            if (kind == null) {
                throw new IllegalArgumentException("sync canary kind must not be null");
            }
        }

        @Override
        public String key() {
            return KeyLayout.SYNCED + cluster + '/' + kind.segment();
        }
    }

    /** {@code mesh/v1/heartbeat/<cluster>}. */
    record Heartbeat(String cluster) implements MeshKey {
        public Heartbeat {
            KeyParts.cluster(cluster);
        }

        @Override
        public String key() {
            return KeyLayout.HEARTBEAT + cluster;
        }
    }
}
