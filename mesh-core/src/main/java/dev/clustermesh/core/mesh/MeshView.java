package dev.clustermesh.core.mesh;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.MeshListener;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The merged state of every watched cluster: global services, nodes, ClusterConfigs and statuses. Writers (one watcher thread per cluster) record changes; readers
 * take immutable {@link #snapshot()}s. Every change calls the change hook, which should only mark dirty.
 */
public final class MeshView implements MeshListener {
    private final Map<ServiceName, Map<String, ClusterService>> services = new HashMap<>();
    private final Map<String, Map<String, Node>> nodes = new HashMap<>();
    private final Map<String, ClusterConfig> configs = new HashMap<>();
    private final Map<String, ClusterStatus> clusters = new HashMap<>();
    private final Runnable onChange;
    private final java.util.function.Consumer<String> onEvent;
    private volatile java.util.function.Consumer<ClusterStatus> onStatus = s -> { };
    private final BiConsumer<String, String> onInvalid;
    private long version;
    private long changedAtNanos = System.nanoTime();
    private final java.util.Set<ServiceName> dirtyServices = new java.util.HashSet<>();
    private boolean dirtyIds = true;
    private boolean dirtyNodes = true;
    private boolean dirtyConfigs = true;

    /**
     * @param onChange called after every change, on the writer's thread; must not block
     * @param onEvent called with the cluster name of every service or node event (for per-cluster metrics)
     * @param onInvalid called with (cluster, reason) for every skipped key or value
     */
    public MeshView(Runnable onChange, java.util.function.Consumer<String> onEvent,
            BiConsumer<String, String> onInvalid) {
        this.onChange = onChange;
        this.onEvent = onEvent;
        this.onInvalid = onInvalid;
    }

    /** A view that only marks dirty. */
    public MeshView(Runnable onChange) {
        this(onChange, c -> { }, (c, r) -> { });
    }

    @Override
    public void serviceChanged(String cluster, MeshKey.Service key, ClusterService value) {
        synchronized (this) {
            ServiceName name = new ServiceName(key.namespace(), key.name());
            Map<String, ClusterService> byCluster = services.computeIfAbsent(name, n -> new HashMap<>());
            if (value != null) {
                byCluster.put(cluster, value);
            } else {
                // A service moving between the shared and local prefixes is deleted under its old key; keep
                // the value that arrived under the new one.
                ClusterService held = byCluster.get(cluster);
                if (held != null && held.getShared() == key.shared()) {
                    byCluster.remove(cluster);
                }
            }
            if (byCluster.isEmpty()) {
                services.remove(name);
            }
            dirtyServices.add(name);
            changed();
        }
        onEvent.accept(cluster);
        onChange.run();
    }

    @Override
    public void nodeChanged(String cluster, String node, Node value) {
        synchronized (this) {
            Map<String, Node> byName = nodes.computeIfAbsent(cluster, c -> new HashMap<>());
            if (value != null) {
                byName.put(node, value);
            } else {
                byName.remove(node);
            }
            if (byName.isEmpty()) {
                nodes.remove(cluster);
            }
            dirtyNodes = true;
            changed();
        }
        onEvent.accept(cluster);
        onChange.run();
    }

    @Override
    public void configChanged(String cluster, ClusterConfig value) {
        synchronized (this) {
            ClusterConfig old = value == null ? configs.remove(cluster) : configs.put(cluster, value);
            if (java.util.Objects.equals(old, value)) {
                return;
            }
            dirtyConfigs = true;
            changed();
        }
        onChange.run();
    }

    /** Also tells {@code hook} every cluster status change (for metrics); it must not block. */
    public void onStatus(java.util.function.Consumer<ClusterStatus> hook) {
        this.onStatus = hook;
    }

    @Override
    public void statusChanged(ClusterStatus status) {
        onStatus.accept(status);
        synchronized (this) {
            ClusterStatus old = clusters.put(status.name(), status);
            dirtyIds |= old == null || old.id() != status.id();
            changed();
        }
        onChange.run();
    }

    /** Forgets a cluster's status (its config file was removed); its state is withdrawn by its watcher. */
    public void forget(String cluster) {
        synchronized (this) {
            clusters.remove(cluster);
            dirtyIds = true;
            changed();
        }
        onChange.run();
    }

    @Override
    public void invalid(String cluster, String key, String reason) {
        onInvalid.accept(cluster, key + ": " + reason);
    }

    /** The current state as one immutable value. */
    public synchronized MeshSnapshot snapshot() {
        Map<ServiceName, List<ClusterService>> s = new HashMap<>();
        services.forEach((name, byCluster) -> s.put(name, List.copyOf(byCluster.values())));
        Map<String, List<Node>> n = new HashMap<>();
        nodes.forEach((cluster, byName) -> n.put(cluster, List.copyOf(byName.values())));
        return new MeshSnapshot(version, s, n, configs, clusters, changedAtNanos);
    }

    /**
     * What changed since the previous drain, for the one consumer that keeps its own state up to date
     * incrementally (the agent's reconciler). Other readers use {@link #snapshot()}.
     */
    public synchronized MeshChanges drain() {
        Map<ServiceName, List<ClusterService>> changed = new HashMap<>();
        for (ServiceName name : dirtyServices) {
            Map<String, ClusterService> byCluster = services.get(name);
            changed.put(name, byCluster == null ? List.of() : List.copyOf(byCluster.values()));
        }
        dirtyServices.clear();
        java.util.Optional<Map<String, Integer>> ids = java.util.Optional.empty();
        if (dirtyIds) {
            Map<String, Integer> m = new HashMap<>();
            clusters.forEach((name, s) -> m.put(name, s.id()));
            ids = java.util.Optional.of(Map.copyOf(m));
            dirtyIds = false;
        }
        java.util.Optional<Map<String, List<Node>>> n = java.util.Optional.empty();
        if (dirtyNodes) {
            Map<String, List<Node>> m = new HashMap<>();
            nodes.forEach((cluster, byName) -> m.put(cluster, List.copyOf(byName.values())));
            n = java.util.Optional.of(Map.copyOf(m));
            dirtyNodes = false;
        }
        java.util.Optional<Map<String, ClusterConfig>> c = java.util.Optional.empty();
        if (dirtyConfigs) {
            c = java.util.Optional.of(Map.copyOf(configs));
            dirtyConfigs = false;
        }
        return new MeshChanges(version, changedAtNanos, changed, ids, n, c, clusters);
    }

    /** Every global service's current ClusterServices (for a consumer that must start over). */
    public synchronized Map<ServiceName, List<ClusterService>> services() {
        Map<ServiceName, List<ClusterService>> s = new HashMap<>();
        services.forEach((name, byCluster) -> s.put(name, List.copyOf(byCluster.values())));
        return s;
    }

    /** Number of global services in the view. */
    public synchronized int serviceCount() {
        return services.size();
    }

    /** The version of the latest change. */
    public synchronized long version() {
        return version;
    }

    private void changed() {
        version++;
        changedAtNanos = System.nanoTime();
    }
}
