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
 * mesh/v1/identities/&lt;cluster&gt;/&lt;id&gt;                Identity            local, remote
 * mesh/v1/local/policies/&lt;cluster&gt;/&lt;kind&gt;/&lt;ns&gt;/&lt;name&gt;  policy JSON   local only
 * mesh/v1/local/imports/&lt;cluster&gt;/&lt;ns&gt;/&lt;name&gt;      ServiceImport       local only
 * mesh/v1/local/exports/&lt;cluster&gt;/&lt;ns&gt;/&lt;name&gt;      ServiceExportStatus local only
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
    public static final String IDENTITIES = ROOT + "identities/";
    public static final String LOCAL_POLICIES = LOCAL + "policies/";
    public static final String LOCAL_IMPORTS = LOCAL + "imports/";
    public static final String LOCAL_EXPORTS = LOCAL + "exports/";
    public static final String SYNCED = ROOT + "synced/";
    public static final String HEARTBEAT = ROOT + "heartbeat/";

    /** The prefixes a {@code remote-<cluster>} identity may read through a proxy. */
    public static final List<String> REMOTE_READABLE = List.of(CONFIG, SERVICES, NODES, ENDPOINTS, IDENTITIES,
            SYNCED, HEARTBEAT);

    private KeyLayout() {
    }

    /**
     * The prefix under which one cluster's keys of a kind live, e.g. {@code mesh/v1/services/cluster1/}; for
     * services the shared ones only (see {@link #localServicesPrefix}), for policies
     * {@code mesh/v1/local/policies/<cluster>/}.
     */
    public static String prefix(ResourceKind kind, String cluster) {
        KeyParts.cluster(cluster);
        return switch (kind) {
            case SERVICES -> SERVICES + cluster + '/';
            case NODES -> NODES + cluster + '/';
            case ENDPOINTS -> ENDPOINTS + cluster + '/';
            case IDENTITIES -> IDENTITIES + cluster + '/';
            case POLICIES -> LOCAL_POLICIES + cluster + '/';
            case MCS -> LOCAL_IMPORTS + cluster + '/';
        };
    }

    /** The prefix of a cluster's ServiceExport statuses, {@code mesh/v1/local/exports/<cluster>/}. */
    public static String localExportsPrefix(String cluster) {
        KeyParts.cluster(cluster);
        return LOCAL_EXPORTS + cluster + '/';
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
                case "local" -> local(key, parts);
                case "nodes" -> new MeshKey.Node(exactly(key, parts, 3)[1], parts[2]);
                case "endpoints" -> endpoint(key, rest);
                case "identities" -> identity(key, exactly(key, parts, 3));
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

    private static MeshKey local(String key, String[] parts) {
        if (parts.length >= 2 && parts[1].equals("services")) {
            return service(key, parts, 2, false);
        }
        if (parts.length >= 2 && parts[1].equals("policies")) {
            if (parts.length != 6) {
                throw new MalformedKeyException(key, "a policy key is " + LOCAL_POLICIES
                        + "<cluster>/<kind>/<namespace>/<name>");
            }
            PolicyKind kind = PolicyKind.fromSegment(parts[3])
                    .orElseThrow(() -> new MalformedKeyException(key, "unknown policy kind '" + parts[3] + "'"));
            return new MeshKey.Policy(parts[2], kind, parts[4], parts[5]);
        }
        if (parts.length >= 2 && (parts[1].equals("imports") || parts[1].equals("exports"))) {
            if (parts.length != 5) {
                throw new MalformedKeyException(key, "an MCS key is " + LOCAL + parts[1] + "/<cluster>/<namespace>/<name>");
            }
            return parts[1].equals("imports") ? new MeshKey.Import(parts[2], parts[3], parts[4])
                    : new MeshKey.ExportStatus(parts[2], parts[3], parts[4]);
        }
        throw new MalformedKeyException(key, "only services, policies, imports and exports live under " + LOCAL);
    }

    private static MeshKey identity(String key, String[] parts) {
        String id = parts[2];
        // Decimal without sign or leading zeros, so that each identity has exactly one key.
        if (id.isEmpty() || id.length() > 10 || !id.chars().allMatch(Character::isDigit) || id.startsWith("0")) {
            throw new MalformedKeyException(key, "identity '" + id + "' is not a decimal number");
        }
        return new MeshKey.Identity(parts[1], Long.parseLong(id));
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
