package dev.clustermesh.agent.mesh;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.routing.RouteCompute;
import dev.clustermesh.agent.loadbalancer.LbCompute;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.MeshView;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Turns mesh changes into datapath transactions: watchers only mark dirty; this one thread takes a snapshot,
 * computes the complete desired LB maps, and applies them as one transaction when they differ from what was
 * applied. A failure is logged once, reported, retried with exponential backoff and forces a full sync.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final String localCluster;
    private final MeshView view;
    private final Datapath datapath;
    private final AgentObserver observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private final Thread thread;
    private boolean dirty = true;
    private volatile boolean closed;
    private volatile DatapathState applied = DatapathState.EMPTY;
    private volatile long appliedVersion = -1;

    Reconciler(String localCluster, MeshView view, Datapath datapath, AgentObserver observer) {
        this.localCluster = localCluster;
        this.view = view;
        this.datapath = datapath;
        this.observer = observer;
        this.thread = new Thread(this::run, "mesh-agent-reconciler");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks for a reconciliation; cheap, never blocks for long. */
    public void markDirty() {
        lock.lock();
        try {
            dirty = true;
            signal.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The LB maps last applied to the datapath. */
    public LbMaps applied() {
        return applied.lb();
    }

    /** Everything last applied to the datapath. */
    public DatapathState appliedState() {
        return applied;
    }

    /** The mesh view version the applied maps were computed from. */
    public long appliedVersion() {
        return appliedVersion;
    }

    private void run() {
        boolean fullSync = true;
        long backoffMillis = 0;
        while (!closed) {
            if (!awaitDirty(backoffMillis)) {
                continue;
            }
            long start = System.nanoTime();
            MeshSnapshot snapshot = view.snapshot();
            LbMaps lb = LbCompute.compute(localCluster, snapshot, applied.lb().ids());
            DatapathState desired = new DatapathState(lb, RouteCompute.compute(localCluster, snapshot));
            try {
                if (fullSync || !lb.services().equals(applied.lb().services())
                        || !lb.backends().equals(applied.lb().backends()) || !desired.routes().equals(applied.routes())) {
                    datapath.apply(desired, fullSync);
                }
                applied = desired;
                appliedVersion = snapshot.version();
                fullSync = false;
                backoffMillis = 0;
                long now = System.nanoTime();
                observer.applied(now - start, now - snapshot.changedAtNanos());
            } catch (RuntimeException e) {
                LOG.errorf("datapath %s: applying %d services failed, retrying with a full sync: %s",
                        datapath.name(), lb.services().size(), e.getMessage());
                observer.failed(e);
                fullSync = true;
                backoffMillis = Math.min(30_000, Math.max(100, backoffMillis * 2));
                markDirty();
            }
        }
    }

    /** Waits for work; after a failure, waits the backoff first. Returns false when woken without work. */
    private boolean awaitDirty(long backoffMillis) {
        lock.lock();
        try {
            if (backoffMillis > 0) {
                signal.await(backoffMillis, TimeUnit.MILLISECONDS);
            }
            while (!dirty && !closed) {
                signal.await();
            }
            boolean work = dirty && !closed;
            dirty = false;
            return work;
        } catch (InterruptedException e) {
            closed = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        markDirty();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
