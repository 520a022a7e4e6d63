package dev.clustermesh.core.mesh;

import dev.clustermesh.core.tls.MeshCertificate;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.remote.ClusterDirectory;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.MeshListener;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Follows the mesh for one consumer (the agent's reconciler, mesh-dns's zone builder): joins the clusters of a
 * clusters directory, records what they report in a {@link MeshView}, reports events to an {@link Observer}
 * and wakes the consumer's {@link Worker}, which reads the view. The wiring both services share, written once.
 *
 * @param <C> the consumer
 */
public final class MeshFollower<C extends MeshFollower.Consumer> implements MeshListener, AutoCloseable {
    private final MeshView view;
    private final Observer observer;
    private final C consumer;
    private final Worker worker;
    private final ClusterDirectory clusters;
    private volatile Worker gate;
    /** Told every endpoint, policy, config and status event as well (the agent's policy book); may be a no-op. */
    private final MeshListener also;

    /** What reads the view: its worker is woken after every change. */
    public interface Consumer {
        /** The worker that runs the consumer; started and closed by the follower. */
        Worker worker();
    }

    /** What the follower reports for metrics and logs. Implementations must not block. */
    public interface Observer {
        /** A service, node, endpoint or policy event arrived from {@code cluster}. */
        default void event(String cluster) {
        }

        /** A cluster's connection status changed. */
        default void clusterStatus(ClusterStatus status) {
        }

        /** A key or value from {@code cluster} was unusable and skipped. */
        default void invalid(String cluster, String reason) {
        }

        /** A cluster config file is unusable. */
        default void badClusterFile(String file, String reason) {
        }

        /**
         * One propagation sample measured here: a heartbeat's transit from {@code cluster}'s exporter, or the time
         * from receiving a revision of {@code cluster} to programming it. Called under the view's lock.
         */
        default void propagation(String cluster, Stage stage, long nanos) {
        }

        /** {@code cluster}'s config file was removed: its per-cluster series should go too. */
        default void clusterRemoved(String cluster) {
        }
    }

    /**
     * Where the clusters are and how to reach them.
     *
     * @param clustersDir directory with one config file per cluster to join, the own cluster's included
     * @param ownCluster this node's cluster: its non-shared services are read too
     * @param pollInterval how often the directory is compared with what is connected
     * @param remote connection tuning (TTL, timeouts, backoff)
     */
    public record Settings(Path clustersDir, String ownCluster, Duration pollInterval, RemoteClusterOptions remote) {
    }

    /**
     * Builds the follower and its consumer; nothing runs until {@link #startWorker()} and {@link #startWatching()}.
     *
     * @param consumer makes the consumer from the view it reads
     */
    public MeshFollower(Settings settings, Observer observer, Function<MeshView, C> consumer) {
        this(settings, observer, consumer, null);
    }

    /**
     * As above, and tells {@code also} (when not null) of endpoints, policies, configs and statuses too: a second
     * consumer with its own worker, which the first one never waits for.
     */
    public MeshFollower(Settings settings, Observer observer, Function<MeshView, C> consumer, MeshListener also) {
        this.also = also;
        this.observer = observer;
        this.view = new MeshView(observer::propagation);
        this.consumer = consumer.apply(view);
        this.worker = this.consumer.worker();
        this.clusters = new ClusterDirectory(settings.clustersDir(), settings.ownCluster(), this, settings.remote(),
                settings.pollInterval(), observer::badClusterFile);
    }

    /** The merged view. */
    public MeshView view() {
        return view;
    }

    /** The consumer. */
    public C consumer() {
        return consumer;
    }

    /** Starts the consumer's worker: it runs once at once, then after every change. */
    public void startWorker() {
        worker.start();
    }

    /**
     * Starts the consumer's worker once the directory was read and every configured cluster has synced or failed
     * with a reason, or once {@code maxWait} has passed, whichever comes first; checked every 50 ms on a worker
     * of its own that stops after starting the consumer's. Changes arriving meanwhile accumulate in the view.
     */
    public void startWorkerWhenSettled(Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        gate = Worker.builder(worker.name() + "-start", full -> {
            if (settled() || System.nanoTime() - deadline >= 0) {
                worker.start();
                gate.close();
            }
        }).maxInterval(Duration.ofMillis(50)).build();
        gate.start();
    }

    /** Starts reading the clusters directory and connecting. */
    public void startWatching() {
        clusters.start();
    }

    /** Every configured cluster's status, by name; never blocks. */
    public Map<String, ClusterStatus> clusters() {
        return clusters.statuses();
    }

    /** The certificates each cluster's connection uses, by cluster name (TLS files read at most once a second). */
    public Map<String, List<MeshCertificate>> certificates() {
        return clusters.certificates();
    }

    /** True when the directory was read and every configured cluster is synced or has failed with a reason. */
    public boolean settled() {
        return clusters.settled();
    }

    /** Why the clusters directory could not be read at its last scan, if it could not. */
    public Optional<String> directoryProblem() {
        return clusters.scanProblem();
    }

    @Override
    public void serviceChanged(String cluster, MeshKey.Service key, ClusterService value) {
        view.serviceChanged(cluster, key, value);
        observer.event(cluster);
        worker.wake();
    }

    @Override
    public void nodeChanged(String cluster, String node, Node value) {
        view.nodeChanged(cluster, node, value);
        observer.event(cluster);
        worker.wake();
    }

    @Override
    public void importChanged(String cluster, MeshKey.Import key, ServiceImport value) {
        view.importChanged(cluster, key, value);
        observer.event(cluster);
        worker.wake();
    }

    @Override
    public void endpointChanged(String cluster, String ip, dev.clustermesh.proto.mesh.v1.Endpoint value) {
        observer.event(cluster);
        if (also != null) {
            also.endpointChanged(cluster, ip, value);
        }
    }

    @Override
    public void policyChanged(String cluster, MeshKey.Policy key, String json) {
        observer.event(cluster);
        if (also != null) {
            also.policyChanged(cluster, key, json);
        }
    }

    @Override
    public void configChanged(String cluster, ClusterConfig value) {
        if (also != null) {
            also.configChanged(cluster, value);
        }
        long before = view.version();
        view.configChanged(cluster, value);
        if (view.version() != before) {
            worker.wake();
        }
    }

    @Override
    public void statusChanged(ClusterStatus status) {
        if (also != null) {
            also.statusChanged(status);
        }
        observer.clusterStatus(status);
        view.statusChanged(status);
        worker.wake();
    }

    @Override
    public void heartbeat(String cluster, Heartbeat heartbeat, long receivedMillis) {
        view.heartbeat(cluster, heartbeat, receivedMillis);
    }

    @Override
    public void clusterRemoved(String cluster) {
        if (also != null) {
            also.clusterRemoved(cluster);
        }
        view.clusterRemoved(cluster);
        observer.clusterRemoved(cluster);
        worker.wake();
    }

    @Override
    public void invalid(String cluster, String key, String reason) {
        observer.invalid(cluster, key + ": " + reason);
    }

    /**
     * Stops the consumer first, so that withdrawing the clusters is never applied (an agent restarting must
     * leave its datapath as it is), then disconnects from every cluster.
     */
    @Override
    public void close() {
        Worker g = gate;
        if (g != null) {
            g.close();
        }
        worker.close();
        clusters.close();
    }
}
