package dev.clustermesh.agent.mesh;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathChange;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.loadbalancer.LbBook;
import dev.clustermesh.agent.loadbalancer.LbChange;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.routing.Route;
import dev.clustermesh.agent.routing.RouteCompute;
import dev.clustermesh.core.mesh.MeshChanges;
import dev.clustermesh.core.mesh.MeshFollower;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.worker.Backoff;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import dev.clustermesh.proto.mesh.v1.Node;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Turns mesh changes into datapath transactions: watchers only mark dirty; this one worker drains what changed,
 * recomputes those global services' LB entries (the same pure per-service function a full computation uses),
 * and applies the result as one transaction, telling the datapath which entries changed. A cluster ID change
 * recomputes everything. A failure is logged once, reported, retried with exponential backoff (100 ms doubling
 * up to 30 s) and forces a full sync of the datapath.
 *
 * <p>Readers never wait for an apply: after every run the reconciler publishes what it computed as one immutable
 * {@link Published} value (a volatile reference), which {@link #applied()} and {@link #sizes()} read.
 */
public final class Reconciler implements MeshFollower.Consumer {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final String localCluster;
    private final MeshView view;
    private final Datapath datapath;
    private final AgentObserver observer;
    private final Worker worker;
    // Owned by the worker thread.
    private final LbBook book;
    private Map<String, Integer> clusterIds = Map.of();
    private Map<String, List<Node>> nodes = Map.of();
    private Map<String, ClusterConfig> configs = Map.of();
    private SortedSet<Route> routes = new TreeSet<>();
    private volatile Published published = new Published(LbMaps.EMPTY, Collections.emptySortedSet());
    private volatile long appliedVersion = -1;

    /**
     * What the reconciler last computed (and applied, unless the datapath is failing), immutable.
     *
     * @param lb the LB maps
     * @param routes the routes to remote clusters
     */
    record Published(LbMaps lb, SortedSet<Route> routes) {
    }

    Reconciler(String localCluster, MeshView view, Datapath datapath, AgentObserver observer) {
        this.localCluster = localCluster;
        this.view = view;
        this.datapath = datapath;
        this.observer = observer;
        this.book = new LbBook(localCluster);
        this.worker = Worker.builder("mesh-agent-reconciler", this::reconcile)
                .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 2, 0)).build();
    }

    @Override
    public Worker worker() {
        return worker;
    }

    /** The LB maps as last computed (and applied, unless the datapath is failing); never blocks. */
    public LbMaps applied() {
        return published.lb();
    }

    /** Everything last computed for the datapath, immutable; never blocks. */
    public DatapathState appliedState() {
        Published p = published;
        return new DatapathState(p.lb(), p.routes());
    }

    /** Services and backends in the LB maps; never blocks. */
    public int[] sizes() {
        LbMaps lb = published.lb();
        return new int[] {lb.services().size(), lb.backends().size()};
    }

    /** The mesh view version the applied maps were computed from; -1 before the first successful apply. */
    public long appliedVersion() {
        return appliedVersion;
    }

    /** One run of the worker: drain, update the book, apply, publish. */
    private void reconcile(boolean fullSync) {
        long start = System.nanoTime();
        MeshChanges changes = view.drain();
        DatapathChange change = null;
        try {
            change = update(changes);
            if (fullSync || !change.lb().isEmpty() || change.routes()) {
                datapath.apply(new DatapathState(book.maps(), routes), change, fullSync);
            }
            long now = System.nanoTime();
            observer.applied(now - start, now - changes.changedAtNanos());
            // Published before the version that makes the agent ready: a reader told "ready" sees these maps.
            publish(fullSync, change);
            view.programmed(changes.clusters());
            appliedVersion = changes.version();
        } catch (RuntimeException e) {
            LOG.errorf("datapath %s: applying %d services failed, retrying with a full sync: %s",
                    datapath.name(), book.serviceCount(), e.getMessage());
            observer.failed(e);
            publish(fullSync, change);
            throw e;
        }
    }

    /**
     * Publishes what changed: the LB maps (a snapshot made in constant time) when they did, a copy of the routes
     * when they did.
     */
    private void publish(boolean fullSync, DatapathChange change) {
        Published p = published;
        boolean lb = fullSync || change == null || !change.lb().isEmpty();
        boolean rt = fullSync || change == null || change.routes();
        if (lb || rt) {
            published = new Published(lb ? book.maps() : p.lb(),
                    rt ? Collections.unmodifiableSortedSet(new TreeSet<>(routes)) : p.routes());
        }
    }

    /** Brings the book and routes up to date with {@code changes}; returns what changed. */
    private DatapathChange update(MeshChanges changes) {
        LbChange lb = LbChange.empty();
        Map<ServiceName, List<ClusterService>> todo = changes.services();
        Map<ServiceName, ServiceImport> imports = changes.imports();
        if (changes.clusterIds().isPresent() && !changes.clusterIds().get().equals(clusterIds)) {
            clusterIds = changes.clusterIds().get();
            // Every backend carries its cluster's ID: recompute everything the book holds or the view has.
            Map<ServiceName, List<ClusterService>> all = new HashMap<>(view.services());
            book.names().forEach(n -> all.putIfAbsent(n, List.of()));
            todo = all;
            imports = view.imports();
        }
        Map<ServiceName, ServiceImport> current = imports;
        Map<String, Integer> ids = clusterIds;
        java.util.Set<String> stale = new java.util.HashSet<>();
        changes.clusters().forEach((c, s) -> {
            // The own cluster's backends never give way: its proxy being unreachable says nothing of its pods.
            if (s.stale() && !c.equals(localCluster)) {
                stale.add(c);
            }
        });
        todo.forEach((name, inputs) -> book.update(name, inputs, current.get(name), c -> ids.getOrDefault(c, 0),
                stale::contains, lb));
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
}
