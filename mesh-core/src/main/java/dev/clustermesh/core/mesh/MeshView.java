package dev.clustermesh.core.mesh;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.MeshListener;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The merged state of every watched cluster: global services, nodes, ClusterConfigs and statuses. Writers (one
 * watcher thread per cluster) record changes and return; readers take immutable {@link #snapshot()}s, or, for
 * the one consumer that keeps its own state incrementally, {@link #drain()} what changed. The view calls nobody:
 * {@link MeshFollower} wakes the consumer and reports metrics. {@link #version()} and {@link #serviceCount()}
 * are read without the view's lock.
 */
public final class MeshView implements MeshListener {
    private final Map<ServiceName, Map<String, ClusterService>> services = new HashMap<>();
    private final Map<String, Map<String, Node>> nodes = new HashMap<>();
    /** The own cluster's imports (Multi-Cluster Services API), by service. */
    private final Map<ServiceName, ServiceImport> imports = new HashMap<>();
    private final Map<String, ClusterConfig> configs = new HashMap<>();
    private final Map<String, ClusterStatus> clusters = new HashMap<>();
    private final PendingChanges pending = new PendingChanges();
    /** Per cluster: the revision its consumer has programmed, and since when a later one waits (monotonic ns). */
    private final Map<String, Long> programmed = new HashMap<>();
    private final Map<String, Long> unappliedSince = new HashMap<>();
    /** Per cluster: when the first status with a revision newer than the last drain arrived. */
    private final Map<String, Long> sinceDrain = new HashMap<>();
    private final Propagation propagation;
    private volatile long version;
    private volatile int serviceCount;
    private long changedAtNanos = System.nanoTime();

    /** A view that reports no propagation samples. */
    public MeshView() {
        this(Propagation.Sink.NONE);
    }

    /** A view that reports each propagation sample it measures (transit and applied) to {@code sink}. */
    MeshView(Propagation.Sink sink) {
        this.propagation = new Propagation(sink);
    }

    @Override
    public synchronized void serviceChanged(String cluster, MeshKey.Service key, ClusterService value) {
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
        serviceCount = services.size();
        pending.services.add(name);
        changed();
    }

    /** Records an import of the own cluster; it changes the frontends of the service of the same name. */
    @Override
    public synchronized void importChanged(String cluster, MeshKey.Import key, ServiceImport value) {
        ServiceName name = new ServiceName(key.namespace(), key.name());
        ServiceImport old = value == null ? imports.remove(name) : imports.put(name, value);
        if (!Objects.equals(old, value)) {
            pending.services.add(name);
            changed();
        }
    }

    @Override
    public synchronized void nodeChanged(String cluster, String node, Node value) {
        Map<String, Node> byName = nodes.computeIfAbsent(cluster, c -> new HashMap<>());
        if (value != null) {
            byName.put(node, value);
        } else {
            byName.remove(node);
        }
        if (byName.isEmpty()) {
            nodes.remove(cluster);
        }
        pending.nodes = true;
        changed();
    }

    /** Records {@code cluster}'s ClusterConfig; an equal one changes nothing (the version stays). */
    @Override
    public synchronized void configChanged(String cluster, ClusterConfig value) {
        ClusterConfig old = value == null ? configs.remove(cluster) : configs.put(cluster, value);
        if (!Objects.equals(old, value)) {
            pending.configs = true;
            changed();
        }
    }

    @Override
    public synchronized void statusChanged(ClusterStatus status) {
        ClusterStatus old = clusters.put(status.name(), status);
        pending.ids |= old == null || old.id() != status.id();
        if (old != null && status.revision() < old.revision()) {
            programmed.remove(status.name()); // its etcd started over (an empty data directory): revisions restart
        }
        long now = System.nanoTime();
        if (status.revision() > 0) {
            propagation.received(status.name(), status.revision(), now);
        }
        if (status.revision() > programmed.getOrDefault(status.name(), 0L)) {
            unappliedSince.putIfAbsent(status.name(), now);
            sinceDrain.putIfAbsent(status.name(), now);
        }
        if ((old != null && old.stale()) != status.stale()) {
            // Its backends stand in for, or give way to, other clusters' in every service it contributes to.
            services.forEach((name, byCluster) -> {
                if (byCluster.containsKey(status.name())) {
                    pending.services.add(name);
                }
            });
        }
        changed();
    }

    /** Forgets a cluster's status (its config file was removed); its state is withdrawn by its watcher. */
    @Override
    public synchronized void clusterRemoved(String cluster) {
        clusters.remove(cluster);
        programmed.remove(cluster);
        unappliedSince.remove(cluster);
        sinceDrain.remove(cluster);
        propagation.removed(cluster);
        pending.ids = true;
        changed();
    }

    /** The current state as one immutable value. */
    public synchronized MeshSnapshot snapshot() {
        return new MeshSnapshot(version, services(), imports, copyNodes(), configs, clusters, changedAtNanos);
    }

    /**
     * What changed since the previous drain, for the one consumer that keeps its own state up to date
     * incrementally (the agent's reconciler). Other readers use {@link #snapshot()}.
     */
    public synchronized MeshChanges drain() {
        sinceDrain.clear();
        Map<ServiceName, List<ClusterService>> changed = new HashMap<>();
        Map<ServiceName, ServiceImport> changedImports = new HashMap<>();
        for (ServiceName name : pending.services) {
            Map<String, ClusterService> byCluster = services.get(name);
            changed.put(name, byCluster == null ? List.of() : List.copyOf(byCluster.values()));
            if (imports.containsKey(name)) {
                changedImports.put(name, imports.get(name));
            }
        }
        return pending.drain(version, changedAtNanos, changed, changedImports, clusters, this::copyNodes, configs);
    }

    /**
     * The consumer has applied what it drained: each cluster's state up to the revision its status carried then.
     * A cluster whose status moved on since keeps an unapplied change, dated from the first status after the drain.
     */
    public synchronized void programmed(Map<String, ClusterStatus> drained) {
        drained.forEach((name, s) -> {
            // Gone, or drained before its revisions went back (an etcd back without its data): that revision
            // says nothing about the state now.
            if (!clusters.containsKey(name) || s.revision() > clusters.get(name).revision()) {
                return;
            }
            long rev = programmed.merge(name, s.revision(), Math::max);
            propagation.programmed(name, rev, System.nanoTime());
            if (clusters.get(name).revision() <= rev) {
                unappliedSince.remove(name);
            } else {
                unappliedSince.put(name, sinceDrain.getOrDefault(name, System.nanoTime()));
            }
        });
    }

    /** A heartbeat of {@code cluster} arrived by watch: times its transit and keeps the figures it carries. */
    @Override
    public synchronized void heartbeat(String cluster, Heartbeat heartbeat, long receivedMillis) {
        propagation.heartbeat(cluster, heartbeat, receivedMillis);
    }

    /**
     * Per cluster, where its changes spend their time ({@link Stage}, in order): export and cache as its
     * heartbeat reports them, transit and applied as measured here. Stages without a sample are left out.
     */
    public synchronized Map<String, Map<Stage, LatencyWindow.Summary>> propagation() {
        return propagation.summaries();
    }

    /** Per cluster: the revision received, the revision programmed, and since when a change waits (if one does). */
    public synchronized Map<String, Convergence> convergence() {
        Map<String, Convergence> out = new HashMap<>();
        clusters.forEach((name, s) -> out.put(name, new Convergence(s.revision(), programmed.getOrDefault(name, 0L),
                Optional.ofNullable(unappliedSince.get(name)))));
        return out;
    }

    /**
     * How far one cluster's state has reached the datapath.
     *
     * @param received the revision of the latest list or event received
     * @param programmed the latest revision whose state the consumer has applied
     * @param unappliedSinceNanos when the oldest change not yet applied arrived ({@link System#nanoTime()}), empty
     *        when none waits
     */
    public record Convergence(long received, long programmed, Optional<Long> unappliedSinceNanos) {
    }

    /** Every global service's current ClusterServices (for a consumer that must start over). */
    public synchronized Map<ServiceName, List<ClusterService>> services() {
        Map<ServiceName, List<ClusterService>> s = new HashMap<>();
        services.forEach((name, byCluster) -> s.put(name, List.copyOf(byCluster.values())));
        return s;
    }

    /** Every connected cluster's ClusterConfig, by name (a copy). */
    public synchronized Map<String, ClusterConfig> configs() {
        return Map.copyOf(configs);
    }

    /** A copy of the own cluster's imports, by service. */
    public synchronized Map<ServiceName, ServiceImport> imports() {
        return Map.copyOf(imports);
    }

    /** Number of global services in the view; never blocks. */
    public int serviceCount() {
        return serviceCount;
    }

    /** The version of the latest change; never blocks. */
    public long version() {
        return version;
    }

    private Map<String, List<Node>> copyNodes() {
        Map<String, List<Node>> n = new HashMap<>();
        nodes.forEach((cluster, byName) -> n.put(cluster, List.copyOf(byName.values())));
        return n;
    }

    private void changed() {
        changedAtNanos = System.nanoTime();
        version++;
    }
}
