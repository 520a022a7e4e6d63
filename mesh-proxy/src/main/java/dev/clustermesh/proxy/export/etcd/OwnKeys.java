package dev.clustermesh.proxy.export.etcd;

import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import java.util.List;
import java.util.Optional;

/**
 * The keys one cluster's exporter owns in etcd: the ranges it lists, writes and prunes, and how each key
 * relates to an exported kind. Keys of other clusters never match, not even clusters whose name starts with
 * this one's ({@code cluster1} vs {@code cluster10}): ranges end with {@code /} and the two single keys are
 * matched exactly.
 */
public final class OwnKeys {
    /** Prefix of the election keys; outside {@link KeyLayout#ROOT}, so the read-only API never serves it. */
    public static final String ELECTION_PREFIX = "mesh-internal/election/";

    private final String cluster;
    private final List<String> prefixes;
    private final List<String> exactKeys;
    private final String syncedPrefix;

    /** @throws IllegalArgumentException when {@code cluster} is not a valid cluster name */
    public OwnKeys(String cluster) {
        this.cluster = cluster;
        this.syncedPrefix = KeyLayout.SYNCED + cluster + '/';
        this.prefixes = List.of(KeyLayout.prefix(ResourceKind.SERVICES, cluster),
                KeyLayout.localServicesPrefix(cluster), KeyLayout.prefix(ResourceKind.NODES, cluster),
                KeyLayout.prefix(ResourceKind.ENDPOINTS, cluster), KeyLayout.prefix(ResourceKind.IDENTITIES, cluster),
                KeyLayout.prefix(ResourceKind.POLICIES, cluster), syncedPrefix,
                KeyLayout.prefix(ResourceKind.MCS, cluster), KeyLayout.localExportsPrefix(cluster));
        this.exactKeys = List.of(new MeshKey.Config(cluster).key(), new MeshKey.Heartbeat(cluster).key());
    }

    /** The cluster these keys belong to. */
    public String cluster() {
        return cluster;
    }

    /** Key ranges (prefixes ending with {@code /}) that hold only this cluster's keys. */
    public List<String> prefixes() {
        return prefixes;
    }

    /** Single keys of this cluster: the ClusterConfig and the heartbeat. */
    public List<String> exactKeys() {
        return exactKeys;
    }

    /** The election key of this cluster's exporter replicas. */
    public String electionKey() {
        return ELECTION_PREFIX + cluster;
    }

    /** The heartbeat key. */
    public String heartbeatKey() {
        return exactKeys.get(1);
    }

    /** True when {@code key} is one of this cluster's keys. */
    public boolean owns(String key) {
        return exactKeys.contains(key) || prefixes.stream().anyMatch(key::startsWith);
    }

    /**
     * The exported kind a key belongs to (sync canaries belong to the kind they announce); empty for the
     * ClusterConfig, the heartbeat, a canary of an unknown kind and keys this cluster does not own.
     */
    public Optional<ResourceKind> kindOf(String key) {
        if (key.startsWith(syncedPrefix)) {
            return ResourceKind.fromSegment(key.substring(syncedPrefix.length()));
        }
        if (key.startsWith(prefixes.get(0)) || key.startsWith(prefixes.get(1))) {
            return Optional.of(ResourceKind.SERVICES);
        }
        if (key.startsWith(prefixes.get(2))) {
            return Optional.of(ResourceKind.NODES);
        }
        if (key.startsWith(prefixes.get(3))) {
            return Optional.of(ResourceKind.ENDPOINTS);
        }
        if (key.startsWith(prefixes.get(4))) {
            return Optional.of(ResourceKind.IDENTITIES);
        }
        if (key.startsWith(prefixes.get(5))) {
            return Optional.of(ResourceKind.POLICIES);
        }
        if (key.startsWith(prefixes.get(7)) || key.startsWith(prefixes.get(8))) {
            return Optional.of(ResourceKind.MCS);
        }
        return Optional.empty();
    }

    /** True for a sync canary key of this cluster. */
    public boolean isCanary(String key) {
        return key.startsWith(syncedPrefix);
    }

    /**
     * Write order: data keys first (0), then the heartbeat (1), then sync canaries (2), so a canary is never
     * applied before the keys it vouches for.
     */
    public int phase(String key) {
        if (isCanary(key)) {
            return 2;
        }
        return key.equals(heartbeatKey()) ? 1 : 0;
    }
}
