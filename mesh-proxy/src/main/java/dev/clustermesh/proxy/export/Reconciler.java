package dev.clustermesh.proxy.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.SyncCanary;
import dev.clustermesh.core.worker.Backoff;
import dev.clustermesh.proxy.export.etcd.Election;
import dev.clustermesh.proxy.export.etcd.KeyDiff;
import dev.clustermesh.proxy.export.etcd.KeyOp;
import dev.clustermesh.proxy.export.etcd.KeyStore;
import dev.clustermesh.proxy.export.etcd.NotLeaderException;
import dev.clustermesh.proxy.export.etcd.OwnKeys;
import dev.clustermesh.proxy.export.etcd.Term;
import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.source.KubernetesMcsWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The one loop that turns the inventory into etcd writes: wake on a change, a term change, the heartbeat
 * or a retry; compute the full desired state; diff it with what is known to be in etcd; apply the writes in
 * guarded transactions of at most {@code maxTxnOps}.
 *
 * <p>What is known is listed from etcd at the start of each term and after every failure. Keys of a kind
 * whose first source pass is not complete are neither written nor pruned, so a restart never deletes keys
 * only because the source has not delivered them yet. A kind's sync canary is written once per term, in the
 * same or a later transaction than the last of that kind's keys.
 */
final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    // etcd refuses requests over --max-request-bytes (1.5 MiB by default); stay well below it.
    private static final long MAX_TXN_BYTES = 1024 * 1024;
    // Followers and idle leaders wake on changes; this only bounds how long a lost wake-up could go unnoticed.
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ExportSettings settings;
    private final ClusterConfig config;
    private final OwnKeys own;
    private final Inventory inventory;
    private final Election election;
    private final KeyStore store;
    private final ExportMetrics metrics;
    private final Clock clock;
    private final Semaphore wake;
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2, 0.2);
    private volatile boolean closed;
    private Thread thread;

    // Loop state, owned by the reconciler thread.
    private Term term;
    private Map<String, ByteString> known;
    /** The properties the stored ClusterConfig announced when this replica first led (until the source's are in). */
    private Map<String, String> storedProperties = Map.of();
    private final Map<ResourceKind, ByteString> canaries = new EnumMap<>(ResourceKind.class);
    private ByteString heartbeat;
    private long nextHeartbeat;
    private long retryAt;
    private boolean failing;
    private long pendingSince = -1;
    private Set<ExportWarning> lastWarnings = Set.of();
    private IdentityTable identities = IdentityTable.EMPTY;
    private ClustersetIps clustersetIps;
    private final Consumer<Map<String, Message>> mcsSink;
    private boolean adoptIdentities = true;

    Reconciler(ExportSettings settings, Inventory inventory, Election election, KeyStore store,
            ExportMetrics metrics, Clock clock, Semaphore wake) {
        this(settings, inventory, election, store, metrics, clock, wake, m -> { });
    }

    /**
     * As above; after each sync as leader, {@code mcsSink} receives this cluster's MCS keys (imports and export
     * statuses) and the imports' constituent exports (under {@link KubernetesMcsWriter#CONSTITUENT}) once that kind is
     * synced, to write them where users look (the Kubernetes API), and {@code null} when this replica stops leading.
     */
    Reconciler(ExportSettings settings, Inventory inventory, Election election, KeyStore store,
            ExportMetrics metrics, Clock clock, Semaphore wake, Consumer<Map<String, Message>> mcsSink) {
        this.mcsSink = mcsSink;
        this.settings = settings;
        this.config = settings.clusterConfig();
        this.own = new OwnKeys(settings.cluster().name());
        this.inventory = inventory;
        this.election = election;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.wake = wake;
        this.clustersetIps = ClustersetIps.of(settings.clustersetCidr().orElse(null), Map.of());
    }

    synchronized void start() {
        if (thread == null && !closed) {
            thread = new Thread(this::run, "mesh-export-reconciler");
            thread.setDaemon(true);
            thread.start();
        }
    }

    void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        wake.release();
        if (t != null) {
            try {
                t.join(settings.requestTimeout().plusSeconds(1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        metrics.leader(false);
    }

    private void run() {
        while (!closed) {
            try {
                awaitWork();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (closed) {
                return;
            }
            try {
                step();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    private void step() {
        Inventory.Drained drained = inventory.drain();
        drained.changedSinceNanos().ifPresent(t -> pendingSince = pendingSince < 0 ? t : Math.min(pendingSince, t));
        Optional<Term> current = election.term();
        metrics.leader(current.isPresent());
        if (current.isEmpty()) {
            forget();
        } else if (!current.get().equals(term)) {
            forget();
            term = current.get();
            // Changes that arrived while another replica led are timed from the start of this term.
            pendingSince = pendingSince < 0 ? -1 : Math.max(pendingSince, System.nanoTime());
        }
        if (term != null && known == null) {
            known = new HashMap<>(store.list(own));
            if (adoptIdentities) {
                // A new leader keeps the numbers the previous one wrote, so pods keep their identities.
                identities = StoredIdentities.adopt(own.cluster(), config.getId(), known);
                clustersetIps = StoredImports.adopt(own.cluster(), settings.clustersetCidr().orElse(null), known);
                storedProperties = StoredImports.properties(own.cluster(), known);
                adoptIdentities = false;
            }
        }
        DesiredState desired = ExportCompute.compute(config.toBuilder().putAllProperties(storedProperties).build(),
                new ExportCompute.Identities(
                settings.identityLabelFilter(), settings.identityReleaseGrace(), identities, clock.millis(),
                clustersetIps), drained.snapshot());
        identities = desired.identities();
        clustersetIps = desired.clustersetIps();
        report(desired);
        if (term == null) {
            return;
        }
        try {
            sync(desired, drained.snapshot().syncedKinds());
        } catch (NotLeaderException e) {
            LOG.infof("exporter %s: %s", settings.identity(), e.getMessage());
            election.lost(e.term());
            metrics.leader(false);
            forget();
        }
    }

    private void sync(DesiredState desired, Set<ResourceKind> synced) throws NotLeaderException {
        long now = System.nanoTime();
        if (heartbeat == null || now - nextHeartbeat >= 0) {
            heartbeat = Heartbeat.newBuilder().setUnixMillis(clock.millis()).setWriter(settings.identity())
                    .setIntervalMillis(settings.heartbeatInterval().toMillis())
                    .setStages(metrics.timing().stages()).build()
                    .toByteString();
            nextHeartbeat = now + settings.heartbeatInterval().toNanos();
        }
        Map<String, ByteString> target = target(desired, synced);
        List<KeyOp> ops = KeyDiff.diff(known, target, key -> managed(key, synced), own::phase);
        for (List<KeyOp> batch : KeyDiff.batches(ops, settings.maxTxnOps(), MAX_TXN_BYTES)) {
            metrics.timing().committed(store.apply(term, batch), System.nanoTime());
            known = KeyDiff.applied(known, batch);
            int puts = (int) batch.stream().filter(op -> op instanceof KeyOp.Put).count();
            metrics.written(puts);
            metrics.deleted(batch.size() - puts);
        }
        succeeded();
        if (synced.contains(ResourceKind.MCS)) {
            String imports = KeyLayout.prefix(ResourceKind.MCS, own.cluster());
            String exports = KeyLayout.localExportsPrefix(own.cluster());
            Map<String, Message> mcs = new HashMap<>();
            desired.values().forEach((k, v) -> {
                if (k.startsWith(imports) || k.startsWith(exports)) {
                    mcs.put(k, v);
                }
            });
            desired.mcsConstituents().forEach(cs -> mcs.put(KubernetesMcsWriter.CONSTITUENT + cs.getNamespace() + "/" + cs.getName() + "/"
                    + cs.getCluster(), cs));
            mcsSink.accept(mcs);
        }
    }

    private Map<String, ByteString> target(DesiredState desired, Set<ResourceKind> synced) {
        Map<String, ByteString> target = new HashMap<>();
        desired.values().forEach((k, v) -> target.put(k, v.toByteString()));
        desired.documents().forEach((k, v) -> target.put(k, ByteString.copyFromUtf8(v)));
        target.put(own.heartbeatKey(), heartbeat);
        for (ResourceKind kind : synced) {
            ByteString canary = canaries.computeIfAbsent(kind, k -> SyncCanary.newBuilder()
                    .setUnixMillis(clock.millis()).setKeys(desired.counts().get(k)).build().toByteString());
            target.put(new MeshKey.Synced(own.cluster(), kind).key(), canary);
        }
        return target;
    }

    private boolean managed(String key, Set<ResourceKind> synced) {
        return own.owns(key) && own.kindOf(key).map(synced::contains).orElse(true);
    }

    private void succeeded() {
        if (failing) {
            LOG.infof("exporter %s: etcd is in sync again", settings.identity());
        }
        failing = false;
        retryAt = 0;
        backoff.reset();
        if (pendingSince >= 0) {
            metrics.lag(Duration.ofNanos(System.nanoTime() - pendingSince));
            pendingSince = -1;
        }
    }

    private void failed(RuntimeException e) {
        metrics.syncFailed();
        if (!failing) {
            LOG.warnf("exporter %s: sync with etcd failed (%s); retrying with backoff and a full resync",
                    settings.identity(), e.getMessage());
        } else {
            LOG.debugf(e, "exporter %s: sync failed again", settings.identity());
        }
        failing = true;
        known = null;
        retryAt = System.nanoTime() + backoff.next().toNanos();
        if (retryAt == 0) {
            retryAt = 1;
        }
    }

    /**
     * Leaves the term: what was known about etcd and the canaries of that term no longer count, and the next
     * term starts from the identities it finds in etcd.
     */
    private void forget() {
        if (term != null) {
            mcsSink.accept(null); // no longer the leader: the MCS objects are the next leader's to write
        }
        term = null;
        adoptIdentities = true;
        known = null;
        heartbeat = null;
        canaries.clear();
        retryAt = 0;
        failing = false;
        backoff.reset();
    }

    private void report(DesiredState desired) {
        metrics.exported(desired.counts());
        Set<ExportWarning> now = new LinkedHashSet<>(desired.warnings());
        for (ExportWarning w : now) {
            if (!lastWarnings.contains(w)) {
                LOG.warnf("exporter: %s", w);
                metrics.warned(w);
            }
        }
        lastWarnings = now;
    }

    private void awaitWork() throws InterruptedException {
        long deadline = deadline();
        while (!closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (wake.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                wake.drainPermits();
                boolean termChanged = !election.term().equals(Optional.ofNullable(term));
                // During a backoff, source changes wait for the retry; a new term does not.
                if (retryAt == 0 || termChanged) {
                    return;
                }
            }
        }
    }

    private long deadline() {
        long now = System.nanoTime();
        if (retryAt != 0) {
            return retryAt;
        }
        return term == null || heartbeat == null ? now + IDLE_NANOS : nextHeartbeat;
    }
}
