package dev.clustermesh.proxy.export;

import dev.clustermesh.proxy.export.etcd.Election;
import dev.clustermesh.proxy.export.etcd.KeyStore;
import dev.clustermesh.proxy.export.etcd.OwnKeys;
import dev.clustermesh.core.mesh.MeshFollower;
import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import dev.clustermesh.proxy.export.source.ExportSource;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/** {@link Exporter}: wires the source, the inventory, the election and the reconciler to one wake-up. */
final class DefaultExporter implements Exporter {
    private static final Logger LOG = Logger.getLogger(DefaultExporter.class);

    private final ExportSettings settings;
    private final ExportSource source;
    private final Inventory inventory;
    private final Election election;
    private final Reconciler reconciler;
    private final ExportTiming timing;
    private MeshFollower<MeshExports> meshExports;
    private boolean started;
    private boolean closed;

    DefaultExporter(ExportSettings settings, Client etcd, ExportSource source, MeterRegistry registry, Clock clock) {
        this(settings, etcd, source, registry, clock, m -> { });
    }

    DefaultExporter(ExportSettings settings, Client etcd, ExportSource source, MeterRegistry registry, Clock clock,
            java.util.function.Consumer<java.util.Map<String, com.google.protobuf.Message>> mcsSink) {
        this.settings = settings;
        this.source = source;
        Semaphore wake = new Semaphore(0);
        OwnKeys own = new OwnKeys(settings.cluster().name());
        this.inventory = new Inventory(wake::release);
        this.election = Election.lease(etcd, own.electionKey(), settings.identity(), settings.leaseTtl(),
                settings.requestTimeout(), wake::release);
        KeyStore store = KeyStore.jetcd(etcd, own.electionKey(), settings.requestTimeout());
        ExportMetrics metrics = new ExportMetrics(registry, settings.cluster().name());
        this.timing = metrics.timing();
        this.reconciler = new Reconciler(settings, inventory, election, store, metrics, clock, wake, mcsSink);
    }

    @Override
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        LOG.infof("exporter %s for cluster %s starting", settings.identity(), settings.cluster());
        // The source first: when it cannot start at all, nothing else has been started.
        source.start(inventory);
        started = true;
        if (settings.meshClustersDir().isPresent()) {
            meshExports = MeshExports.follower(settings.meshClustersDir().get(), settings.cluster().name(), inventory);
            meshExports.startWorker();
            meshExports.startWatching();
        } else {
            // No mesh to follow: this cluster imports only what it exports itself.
            inventory.replaceMeshExports(java.util.List.of());
            inventory.markSynced(SourceKind.MESH_EXPORTS);
        }
        reconciler.start();
        election.start();
    }

    @Override
    public boolean isLeader() {
        return election.term().isPresent();
    }

    @Override
    public void cacheHolds(long revision) {
        timing.cached(revision, System.nanoTime());
    }

    @Override
    public void cacheListed(long revision) {
        timing.reset(revision);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly("source", source::close);
        if (meshExports != null) {
            closeQuietly("mesh follower", meshExports::close);
        }
        closeQuietly("reconciler", reconciler::close);
        closeQuietly("election", election::close);
        LOG.infof("exporter %s for cluster %s stopped", settings.identity(), settings.cluster());
    }

    private void closeQuietly(String what, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warnf("exporter %s: closing the %s failed: %s", settings.identity(), what, e.getMessage());
        }
    }
}
