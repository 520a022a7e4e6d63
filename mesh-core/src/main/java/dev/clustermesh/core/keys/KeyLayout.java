package dev.clustermesh.core.keys;

import java.util.List;

/**
 * Builds and parses the keys of a cluster's etcd (shared/DESIGN.md, "Keys in each cluster's etcd").
 *
 * <pre>
 * mesh/v1/config/&lt;cluster&gt;                         ClusterConfig       local, remote
 * mesh/v1/services/&lt;cluster&gt;/&lt;ns&gt;/&lt;name&gt;           ClusterService      local, remote
 * mesh/v1/local/services/&lt;cluster&gt;/&lt;ns&gt;/&lt;name&gt;     ClusterService      local only
 * mesh/v1/nodes/&lt;cluster&gt;/&lt;node&gt;                   Node                local, remote
 * mesh/v1/endpoints/&lt;cluster&gt;/&lt;ip&gt;                 Endpoint            local, remote
 * mesh/v1/synced/&lt;cluster&gt;/&lt;kind&gt;                  SyncCanary          local, remote
 * mesh/v1/heartbeat/&lt;cluster&gt;                      Heartbeat           local, remote
 * </pre>
 */
public final class KeyLayout {
    /** Everything the mesh stores lives under this prefix. */
    public static final String ROOT = "mesh/v1/";
    public static final String CONFIG = ROOT + "config/";
    public static final String SERVICES = ROOT + "services/";
    public static final String LOCAL = ROOT + "local/";
    public static final String LOCAL_SERVICES = LOCAL + "services/";
    public static final String NODES = ROOT + "nodes/";
    public static final String ENDPOINTS = ROOT + "endpoints/";
    public static final String SYNCED = ROOT + "synced/";
    public static final String HEARTBEAT = ROOT + "heartbeat/";

    /** The prefixes a {@code remote-<cluster>} identity may read through a proxy. */
    public static final List<String> REMOTE_READABLE = List.of(CONFIG, SERVICES, NODES, ENDPOINTS, SYNCED, HEARTBEAT);

    private KeyLayout() {
    }

    /** The prefix under which one cluster's keys of a kind live, e.g. {@code mesh/v1/services/cluster1/}. */
    public static String prefix(ResourceKind kind, String cluster) {
        KeyParts.cluster(cluster);
        return switch (kind) {
            case SERVICES -> SERVICES + cluster + '/';
            case NODES -> NODES + cluster + '/';
            case ENDPOINTS -> ENDPOINTS + cluster + '/';
        };
    }

    /** The prefix of a cluster's non-shared services, {@code mesh/v1/local/services/<cluster>/}. */
    public static String localServicesPrefix(String cluster) {
        KeyParts.cluster(cluster);
        return LOCAL_SERVICES + cluster + '/';
    }

    /**
     * Parses an etcd key.
     *
     * @throws MalformedKeyException naming the key and what is wrong with it
     */
    public static MeshKey parse(String key) {
        if (key == null || !key.startsWith(ROOT)) {
            throw new MalformedKeyException(String.valueOf(key), "does not start with " + ROOT);
        }
        String rest = key.substring(ROOT.length());
        String[] parts = rest.split("/", -1);
        try {
            return switch (parts[0]) {
                case "config" -> new MeshKey.Config(exactly(key, parts, 2)[1]);
                case "heartbeat" -> new MeshKey.Heartbeat(exactly(key, parts, 2)[1]);
                case "services" -> service(key, parts, 1, true);
                case "local" -> localService(key, parts);
                case "nodes" -> new MeshKey.Node(exactly(key, parts, 3)[1], parts[2]);
                case "endpoints" -> endpoint(key, rest);
                case "synced" -> synced(key, exactly(key, parts, 3));
                default -> throw new MalformedKeyException(key, "unknown kind '" + parts[0] + "'");
            };
        } catch (MalformedKeyException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new MalformedKeyException(key, e.getMessage());
        }
    }

    private static String[] exactly(String key, String[] parts, int n) {
        if (parts.length != n) {
            throw new MalformedKeyException(key, "expected " + n + " segments after " + ROOT + ", found " + parts.length);
        }
        return parts;
    }

    private static MeshKey service(String key, String[] parts, int offset, boolean shared) {
        if (parts.length != offset + 3) {
            throw new MalformedKeyException(key, "a service key is <prefix>/<cluster>/<namespace>/<name>");
        }
        return new MeshKey.Service(parts[offset], parts[offset + 1], parts[offset + 2], shared);
    }

    private static MeshKey localService(String key, String[] parts) {
        if (parts.length < 2 || !parts[1].equals("services")) {
            throw new MalformedKeyException(key, "only services live under " + LOCAL);
        }
        return service(key, parts, 2, false);
    }

    private static MeshKey endpoint(String key, String rest) {
        // IPv6 literals contain no '/', so cluster/ip splits on the first slash after the kind.
        String body = rest.substring("endpoints/".length());
        int slash = body.indexOf('/');
        if (slash < 0 || body.indexOf('/', slash + 1) >= 0) {
            throw new MalformedKeyException(key, "an endpoint key is " + ENDPOINTS + "<cluster>/<ip>");
        }
        return new MeshKey.Endpoint(body.substring(0, slash), body.substring(slash + 1));
    }

    private static MeshKey synced(String key, String[] parts) {
        ResourceKind kind = ResourceKind.fromSegment(parts[2])
                .orElseThrow(() -> new MalformedKeyException(key, "unknown sync canary kind '" + parts[2] + "'"));
        return new MeshKey.Synced(parts[1], kind);
    }
}
