package dev.clustermesh.core.remote;

import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.Set;

/**
 * What a {@link RemoteCluster} holds of its cluster: one {@link WatchStore} per kind, the sync canaries seen and
 * the last heartbeat, fed by lists and watch events and reported to the {@link MeshListener} as real changes. It
 * applies the withdrawal guard of {@link Liveness}: a re-list that lacks a kind's canary sweeps nothing of that
 * kind. Not thread-safe: its watcher's thread only.
 */
final class ClusterState {
    private static final System.Logger LOG = System.getLogger(ClusterState.class.getName());
    private final String name;
    private final boolean local;
    private final MeshListener listener;
    private final Liveness liveness;
    private final WatchStore<ClusterService> services;
    private final WatchStore<Node> nodes;
    private final WatchStore<Endpoint> endpoints;
    private final WatchStore<String> policies; // the own cluster's (JSON), read only when local
    private final WatchStore<ServiceImport> imports; // the own cluster's, read only when local
    private final List<WatchStore<?>> stores;
    private final EnumSet<ResourceKind> synced = EnumSet.noneOf(ResourceKind.class);
    private Optional<Instant> lastHeartbeat = Optional.empty();
    private ClusterConfig connectedConfig;
    private Consumer<ClusterConfig> onProperties = c -> {
    };
    /** True while a list is applied: the list sweeps at its end, not as each canary is applied. */
    private boolean listing;

    /** The session must start over: the cluster's identity may have changed, or its revoked state came back. */
    static final class ConfigChanged extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ConfigChanged() {
            this("ClusterConfig changed; reconnecting to validate it again");
        }

        ConfigChanged(String message) {
            super(message);
        }
    }

    ClusterState(String name, boolean local, MeshListener listener, Liveness liveness) {
        this.name = name;
        this.local = local;
        this.listener = listener;
        this.liveness = liveness;
        this.services = new WatchStore<>(WatchStore.Observer.of(
                (k, v) -> listener.serviceChanged(name, (MeshKey.Service) KeyLayout.parse(k), v)));
        this.nodes = new WatchStore<>(WatchStore.Observer.of((k, v) -> listener.nodeChanged(name,
                KeyLayout.parse(k) instanceof MeshKey.Node n ? n.node() : k, v)));
        this.endpoints = new WatchStore<>(WatchStore.Observer.of((k, v) -> listener.endpointChanged(name,
                KeyLayout.parse(k) instanceof MeshKey.Endpoint e ? e.ip() : k, v)));
        this.policies = new WatchStore<>(WatchStore.Observer.of((k, v) -> listener.policyChanged(name,
                (MeshKey.Policy) KeyLayout.parse(k), v)));
        this.imports = new WatchStore<>(WatchStore.Observer.of((k, v) -> listener.importChanged(name,
                (MeshKey.Import) KeyLayout.parse(k), v)));
        this.stores = List.of(services, nodes, endpoints, policies, imports);
    }

    /**
     * Applies a full list: everything held is marked stale, the listed keys refresh it, and what was not listed is
     * deleted, except for kinds whose canary the list lacks while they held entries (the guard).
     */
    void listed(List<KeyValue> kvs, long now) {
        boolean heldBefore = liveness.holding();
        listing = true;
        try {
            applyList(kvs, now, heldBefore);
        } finally {
            listing = false;
        }
    }

    private void applyList(List<KeyValue> kvs, long now, boolean heldBefore) {
        stores.forEach(WatchStore::markStale);
        synced.clear();
        // The heartbeat and canaries first: whether the cluster is alive decides whether its state may be held.
        kvs.stream().filter(kv -> !data(kv)).forEach(kv -> apply(kv, false));
        if (!liveness.listed(now)) {
            withdrawable().forEach(WatchStore::clear);
            LOG.log(System.Logger.Level.WARNING, "cluster {0}: listed, but its heartbeat has not changed for longer "
                    + "than the TTL; holding nothing until it does", name);
            return;
        }
        kvs.stream().filter(ClusterState::data).forEach(kv -> apply(kv, false));
        EnumSet<ResourceKind> unproven = EnumSet.noneOf(ResourceKind.class);
        for (ResourceKind k : ResourceKind.values()) {
            WatchStore<?> store = store(k);
            if (store == null) {
                continue;
            }
            if (synced.contains(k) || !heldBefore || !store.hasStale()) {
                store.sweep();
                liveness.unguard(k);
            } else {
                unproven.add(k);
            }
        }
        liveness.guard(unproven, now);
        if (!unproven.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "cluster {0}: the re-list lacks the sync canaries of {1}; keeping "
                    + "what was there before until they arrive", name, unproven);
        }
    }

    /**
     * Remembers the ClusterConfig validated at connect; a later one that differs from it only in its properties is
     * given to {@code onProperties} instead of ending the session.
     */
    void connectedWith(ClusterConfig config, Consumer<ClusterConfig> onProperties) {
        this.connectedConfig = config;
        this.onProperties = onProperties;
    }

    /** A changed ClusterConfig: applied when only its properties changed, else the session starts over. */
    private void propertiesOnly(byte[] value) {
        ClusterConfig next;
        try {
            next = value == null ? null : Decoded.clusterConfig(name, value);
        } catch (IllegalStateException e) {
            throw new ConfigChanged(e.getMessage());
        }
        if (next == null || connectedConfig == null
                || !next.toBuilder().clearProperties().build().equals(connectedConfig.toBuilder().clearProperties().build())) {
            throw new ConfigChanged();
        }
        connectedConfig = next;
        onProperties.accept(next);
    }

    /** Applies one listed or watched key; an unusable one is reported and skipped. */
    void apply(KeyValue kv, boolean deleted) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        try {
            MeshKey k = KeyLayout.parse(key);
            if (!k.cluster().equals(name)) {
                throw new IllegalArgumentException("belongs to cluster '" + k.cluster() + "'");
            }
            byte[] v = kv.getValue().getBytes();
            if (!liveness.holding() && data(k)) {
                return; // revoked while connected: nothing is held until the heartbeat changes and a new list
            }
            if (k instanceof MeshKey.Service s) {
                store(services, key, deleted, () -> Decoded.service(s, v));
            } else if (k instanceof MeshKey.Node n) {
                store(nodes, key, deleted, () -> Decoded.node(n, v));
            } else if (k instanceof MeshKey.Endpoint e) {
                store(endpoints, key, deleted, () -> Decoded.endpoint(e, v));
            } else if (k instanceof MeshKey.Policy && local) {
                store(policies, key, deleted, () -> new String(v, StandardCharsets.UTF_8));
            } else if (k instanceof MeshKey.Import i && local) {
                store(imports, key, deleted, () -> Decoded.serviceImport(i, v));
            } else if (k instanceof MeshKey.Synced s) {
                synced(s.kind(), !deleted);
            } else if (k instanceof MeshKey.Heartbeat) {
                if (deleted) {
                    lastHeartbeat = Optional.empty();
                } else {
                    Heartbeat h = Heartbeat.parseFrom(v);
                    lastHeartbeat = Optional.of(Instant.ofEpochMilli(h.getUnixMillis()));
                    liveness.heartbeat(h.getUnixMillis(), h.getIntervalMillis(), System.nanoTime());
                    if (!listing && liveness.resumed(System.nanoTime())) {
                        throw new ConfigChanged("heartbeat changed after the state was withdrawn; listing again");
                    }
                    if (!listing) {
                        listener.heartbeat(name, h, System.currentTimeMillis());
                    }
                }
            } else if (k instanceof MeshKey.Config) {
                propertiesOnly(deleted ? null : v);
            }
        } catch (ConfigChanged e) {
            throw e;
        } catch (Exception e) {
            listener.invalid(name, key, e.getMessage());
        }
    }

    private static boolean data(KeyValue kv) {
        try {
            return data(KeyLayout.parse(kv.getKey().toString(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return true; // reported as invalid when applied
        }
    }

    private static boolean data(MeshKey k) {
        return k instanceof MeshKey.Service || k instanceof MeshKey.Node || k instanceof MeshKey.Endpoint
                || k instanceof MeshKey.Policy || k instanceof MeshKey.Import;
    }

    private void synced(ResourceKind kind, boolean seen) {
        if (!seen) {
            synced.remove(kind);
            return;
        }
        synced.add(kind);
        if (!listing && liveness.guarded(kind)) {
            store(kind).sweep(); // re-exported: what was not is gone
            liveness.unguard(kind);
        }
    }

    /** Drops what a guard still holds once the TTL passed without the canaries. */
    void releaseExpiredGuard(long now) {
        if (liveness.guardExpired(now)) {
            Set<ResourceKind> kinds = liveness.releaseGuard();
            LOG.log(System.Logger.Level.WARNING, "cluster {0}: the sync canaries of {1} did not arrive within the "
                    + "TTL; dropping what was not re-exported", name, kinds);
            kinds.forEach(k -> store(k).sweep());
        }
    }

    /** Withdraws the cluster's state (the own cluster keeps its pods and policies: they are this node's). */
    void withdraw() {
        withdrawable().forEach(WatchStore::clear);
        liveness.withdrawn();
    }

    private List<WatchStore<?>> withdrawable() {
        return local ? List.of(services, nodes) : stores;
    }

    /** Deletes everything (the watcher closes). */
    void clear() {
        stores.forEach(WatchStore::clear);
    }

    /** Kinds whose canary was seen in the current (or last) session. */
    Set<ResourceKind> synced() {
        return synced;
    }

    /** The service-view kinds whose canary has not been seen. */
    Set<ResourceKind> missing() {
        EnumSet<ResourceKind> m = EnumSet.copyOf(ResourceKind.SERVICE_VIEW);
        m.removeAll(synced);
        return m;
    }

    Optional<Instant> lastHeartbeat() {
        return lastHeartbeat;
    }

    int services() {
        return services.size();
    }

    int nodes() {
        return nodes.size();
    }

    int endpoints() {
        return endpoints.size();
    }

    /** The store of {@code kind}; null for a kind this watcher does not hold. */
    private WatchStore<?> store(ResourceKind kind) {
        return switch (kind) {
            case SERVICES -> services;
            case NODES -> nodes;
            case ENDPOINTS -> endpoints;
            case POLICIES -> local ? policies : null;
            case MCS -> local ? imports : null;
            default -> null;
        };
    }

    /** A decoder that may reject the value. */
    @FunctionalInterface
    private interface Decoder<V> {
        V decode() throws Exception;
    }

    private static <V> void store(WatchStore<V> store, String key, boolean deleted, Decoder<V> decoder)
            throws Exception {
        if (deleted) {
            store.delete(key);
        } else {
            store.upsert(key, decoder.decode());
        }
    }
}
