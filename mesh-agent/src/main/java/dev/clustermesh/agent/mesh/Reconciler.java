package dev.clustermesh.agent.mesh;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathChange;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.loadbalancer.LbBook;
import dev.clustermesh.agent.loadbalancer.LbChange;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.routing.Route;
import dev.clustermesh.agent.routing.RouteCompute;
import dev.clustermesh.core.mesh.DirtySignal;
import dev.clustermesh.core.mesh.MeshChanges;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Turns mesh changes into datapath transactions: watchers only mark dirty; this one thread drains what changed,
 * recomputes those global services' LB entries (the same pure per-service function a full computation uses),
 * and applies the result as one transaction, telling the datapath which entries changed. A cluster ID change
 * recomputes everything. A failure is logged once, reported, retried with exponential backoff and forces a full
 * sync of the datapath.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final String localCluster;
    private final MeshView view;
    private final Datapath datapath;
    private final AgentObserver observer;
    private final DirtySignal signal = new DirtySignal();
    private final Thread thread;
    private final LbBook book;
    private Map<String, Integer> clusterIds = Map.of();
    private Map<String, List<Node>> nodes = Map.of();
    private Map<String, ClusterConfig> configs = Map.of();
    private SortedSet<Route> routes = new TreeSet<>();
    private volatile long appliedVersion = -1;

    Reconciler(String localCluster, MeshView view, Datapath datapath, AgentObserver observer) {
        this.localCluster = localCluster;
        this.view = view;
        this.datapath = datapath;
        this.observer = observer;
        this.book = new LbBook(localCluster);
        this.thread = new Thread(this::run, "mesh-agent-reconciler");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks for a reconciliation; cheap, never blocks for long. */
    public void markDirty() {
        signal.mark();
    }

    /** A copy of the LB maps as last computed (and applied, unless the datapath is failing). */
    public LbMaps applied() {
        synchronized (book) {
            return book.snapshot();
        }
    }

    /** Everything last computed for the datapath, as an immutable copy. */
    public DatapathState appliedState() {
        synchronized (book) {
            return new DatapathState(book.snapshot(), new TreeSet<>(routes));
        }
    }

    /** Services and backends in the LB maps, without copying them. */
    public int[] sizes() {
        synchronized (book) {
            return new int[] {book.serviceCount(), book.backendCount()};
        }
    }

    /** The mesh view version the applied maps were computed from. */
    public long appliedVersion() {
        return appliedVersion;
    }

    private void run() {
        boolean fullSync = true;
        long backoffMillis = 0;
        while (signal.await()) {
            long start = System.nanoTime();
            MeshChanges changes = view.drain();
            boolean failed = false;
            synchronized (book) {
                try {
                    DatapathChange change = update(changes);
                    if (fullSync || !change.lb().isEmpty() || change.routes()) {
                        datapath.apply(new DatapathState(book.view(), routes), change, fullSync);
                    }
                    appliedVersion = changes.version();
                    fullSync = false;
                    backoffMillis = 0;
                    long now = System.nanoTime();
                    observer.applied(now - start, now - changes.changedAtNanos());
                } catch (RuntimeException e) {
                    LOG.errorf("datapath %s: applying %d services failed, retrying with a full sync: %s",
                            datapath.name(), book.serviceCount(), e.getMessage());
                    observer.failed(e);
                    fullSync = true;
                    backoffMillis = Math.min(30_000, Math.max(100, backoffMillis * 2));
                    failed = true;
                }
            }
            // Back off outside the book's lock, so status and service-list calls are not held up.
            if (failed) {
                if (signal.pause(backoffMillis)) {
                    return;
                }
                signal.mark();
            }
        }
    }

    /** Brings the book and routes up to date with {@code changes}; returns what changed. */
    private DatapathChange update(MeshChanges changes) {
        LbChange lb = LbChange.empty();
        Map<ServiceName, List<ClusterService>> todo = changes.services();
        if (changes.clusterIds().isPresent() && !changes.clusterIds().get().equals(clusterIds)) {
            clusterIds = changes.clusterIds().get();
            // Every backend carries its cluster's ID: recompute everything the book holds or the view has.
            Map<ServiceName, List<ClusterService>> all = new HashMap<>(view.services());
            book.names().forEach(n -> all.putIfAbsent(n, List.of()));
            todo = all;
        }
        Map<String, Integer> ids = clusterIds;
        todo.forEach((name, inputs) -> book.update(name, inputs, c -> ids.getOrDefault(c, 0), lb));
        boolean routesChanged = false;
        if (changes.nodes().isPresent() || changes.configs().isPresent()) {
            nodes = changes.nodes().orElse(nodes);
            configs = changes.configs().orElse(configs);
            SortedSet<Route> next = RouteCompute.compute(localCluster, nodes, configs);
            routesChanged = !next.equals(routes);
            routes = next;
        }
        return new DatapathChange(lb, routesChanged);
    }

    @Override
    public void close() {
        signal.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
