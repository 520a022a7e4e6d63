package dev.clustermesh.core.remote;

import dev.clustermesh.core.tls.MeshCertificate;
import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.tls.ReloadingTls;
import dev.clustermesh.core.worker.Backoff;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps one cluster's exported state in step with its mesh-proxy and reports it to a {@link MeshListener}.
 *
 * <p>Each session: connect, read and check the ClusterConfig (name as configured, valid ID unique in the mesh),
 * list every prefix in one read-only transaction at revision R and apply it ({@link ClusterState}: what was not
 * listed goes, unless the list lacks that kind's sync canary), then watch every prefix from R + 1, and report
 * the ClusterConfig (its CIDRs) when it differs from the last one reported. A ClusterConfig that changes under a
 * session ends it, so the next session checks and reports the new one. Any failure ends the session; the next
 * one starts after an exponential backoff with jitter. A tick every tenth of stale-after (20 ms to 1 s) reports
 * {@link Freshness} changes and withdraws the state once revoked ({@link Liveness}). Everything runs on this
 * cluster's own thread.
 */
public final class RemoteCluster implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteCluster.class.getName());
    private final RemoteClusterConfig config;
    private final boolean local;
    private final ClusterRegistry registry;
    private final MeshListener listener;
    private final RemoteClusterOptions options;
    /** Set by the first close(); a second (or concurrent) close returns at once. */
    private final AtomicBoolean closing = new AtomicBoolean();
    private final ScheduledExecutorService loop;
    private final ClusterState state;
    private volatile ClusterStatus status;
    /** The ClusterConfig last told to the listener; null when none is (never connected, or withdrawn). */
    private ClusterConfig clusterConfig;
    private Client client;
    /** This cluster's TLS material, read at the first connection and followed on disk from then on. */
    private volatile ReloadingTls tls;
    /** The current session's watches: this watcher owns them and cancels them when the session ends. */
    private final List<Watch.Watcher> watches = new ArrayList<>();
    private final Backoff backoff;
    private long generation;
    private final Liveness liveness;
    /** Which of the config's endpoints the next session dials (modulo their number); starts at random. */
    private int endpointIndex = java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 16);
    /** The revision of the latest list or event received; the one at which the current session was first ready. */
    private long revision;
    private long syncedRevision;
    private boolean closed;

    /**
     * A watcher for {@code config}; nothing happens until {@link #start()}.
     *
     * @param local true for this agent's own cluster: its non-shared services are read too
     */
    public RemoteCluster(RemoteClusterConfig config, boolean local, ClusterRegistry registry, MeshListener listener,
            RemoteClusterOptions options) {
        this.config = config;
        this.local = local;
        this.registry = registry;
        this.listener = listener;
        this.options = options;
        this.status = ClusterStatus.initial(config.name());
        // The own cluster is never revoked: its services are this node's own, and withdrawing them because the
        // local proxy is unreachable would take every frontend away (found by the fault campaign). Stale at most.
        this.liveness = new Liveness(options.staleAfter(), local ? Duration.ZERO : options.ttl(), options.ttl(),
                System.nanoTime());
        this.backoff = backoff(options.maxBackoff());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesh-remote-" + config.name());
            t.setDaemon(true);
            return t;
        });
        this.state = new ClusterState(config.name(), local, listener, liveness);
    }

    /** The configuration this watcher was made from. */
    public RemoteClusterConfig config() {
        return config;
    }

    /**
     * The certificates this cluster's connection uses, as on disk now (at most a second old): the files are what
     * the next connection presents. Empty before the TLS files were first read.
     */
    public List<MeshCertificate> certificates() {
        ReloadingTls t = tls;
        if (t != null) {
            t.current();
        }
        return t == null ? List.of()
                : MeshCertificate.of(config.name(), t, MeshCertificate.CLIENT);
    }

    /** The current status (a snapshot). */
    public ClusterStatus status() {
        return status;
    }

    /** Starts connecting in the background. */
    public void start() {
        if (!closing.get()) {
            try {
                loop.execute(this::connect);
                long tick = tickNanos(options);
                loop.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Closed meanwhile (the directory shut down while this cluster was being added): nothing to start.
            }
        }
    }

    /**
     * Stops watching and withdraws everything this cluster contributed (reported to the listener as deletions).
     * Blocks until done, at most a few seconds.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        loop.execute(() -> {
            closed = true;
            endSession();
            state.clear();
            tellConfig(null);
            registry.release(config.name());
        });
        loop.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        long gen = ++generation;
        try {
            // One endpoint per session, the next one after each failure: with several proxy replicas, a client
            // over all of them spreads its calls, and the heartbeat could then come from a healthy replica while
            // the data comes from one whose cache is stuck (found by the campaign): the cluster would look fresh
            // with old state. Pinned, the heartbeat vouches for exactly the cache the data comes from.
            List<String> endpoints = config.endpoints();
            String endpoint = endpoints.get(Math.floorMod(endpointIndex++, endpoints.size()));
            if (tls == null) {
                // Kept for the cluster's life: certificate files replaced on disk apply to the next connection.
                tls = new ReloadingTls(config.tls().ca(), config.tls().cert(), config.tls().key(),
                        Duration.ofSeconds(1));
            }
            client = EtcdClients.builder(List.of(endpoint), tls).build();
            io.etcd.jetcd.kv.GetResponse got = get(KeyLayout.CONFIG + config.name());
            ClusterConfig read = Decoded.clusterConfig(config.name(), value(got));
            ClusterIdentity id = new ClusterIdentity(read.getName(), read.getId());
            registry.claim(id.name(), id.id()).ifPresent(conflict -> {
                throw new IllegalStateException(conflict);
            });
            long revision = list();
            state.connectedWith(read, c -> tellConfig(liveness.holding() ? c : null));
            // The config is watched from just after its read: a change between the read and the list is not missed.
            watchAll(gen, revision + 1, Math.min(revision, got.getHeader().getRevision()) + 1);
            tellConfig(liveness.holding() ? read : null);
            backoff.reset();
            publish(id.id(), true, status.lastFailure(), Optional.of(Instant.now()));
            LOG.log(System.Logger.Level.INFO, "cluster {0} (id {1}) connected to {3} and listed at revision {2}",
                    config.name(), id.id(), revision, endpoint);
        } catch (Exception e) {
            failed(gen, e);
        }
    }

    private List<String> prefixes() {
        List<String> p = new ArrayList<>(List.of(KeyLayout.SYNCED + config.name() + "/",
                KeyLayout.prefix(ResourceKind.SERVICES, config.name()), KeyLayout.prefix(ResourceKind.NODES, config.name()),
                KeyLayout.prefix(ResourceKind.ENDPOINTS, config.name()), KeyLayout.HEARTBEAT + config.name()));
        if (local) {
            p.add(KeyLayout.localServicesPrefix(config.name()));
            p.add(KeyLayout.prefix(ResourceKind.POLICIES, config.name()));
            p.add(KeyLayout.prefix(ResourceKind.MCS, config.name()));
        }
        return p;
    }

    private long list() throws Exception {
        List<Op> ops = new ArrayList<>();
        for (String p : prefixes()) {
            ops.add(Op.get(bytes(p), GetOption.builder().isPrefix(p.endsWith("/")).build()));
        }
        TxnResponse r = client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit()
                .get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        List<KeyValue> kvs = new ArrayList<>();
        r.getGetResponses().forEach(g -> kvs.addAll(g.getKvs()));
        state.listed(kvs, System.nanoTime());
        revision = r.getHeader().getRevision();
        syncedRevision = 0;
        return revision;
    }

    private void watchAll(long gen, long fromRevision, long configFromRevision) {
        List<String> watched = new ArrayList<>(prefixes());
        String configKey = KeyLayout.CONFIG + config.name();
        watched.add(configKey);
        for (String p : watched) {
            WatchOption opt = WatchOption.builder().isPrefix(p.endsWith("/"))
                    .withRevision(p.equals(configKey) ? configFromRevision : fromRevision).build();
            watches.add(client.getWatchClient().watch(bytes(p), opt, Watch.listener(
                    r -> loop.execute(() -> {
                        if (gen != generation) {
                            return;
                        }
                        try {
                            r.getEvents().forEach(e -> {
                                state.apply(e.getKeyValue(), e.getEventType() == WatchEvent.EventType.DELETE);
                                revision = Math.max(revision, e.getKeyValue().getModRevision());
                            });
                            publish(status.id(), true, status.lastFailure(), status.connectedSince());
                        } catch (ClusterState.ConfigChanged e) {
                            failed(gen, e);
                        }
                    }),
                    t -> loop.execute(() -> failed(gen, t)))));
        }
    }

    private void failed(long gen, Throwable t) {
        if (gen != generation || closed) {
            return;
        }
        endSession();
        liveness.disconnected(System.nanoTime());
        // A failure always has a reason to show: some (a cancelled watch) carry an empty message.
        String reason = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
        // Logged once per distinct reason: a cluster down for an hour must not fill the log.
        if (!reason.equals(status.lastFailure())) {
            LOG.log(System.Logger.Level.WARNING, "cluster {0}: {1}; reconnecting with backoff", config.name(), reason);
        }
        publish(status.id(), false, reason, Optional.empty());
        loop.schedule(this::connect, backoff.next().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Runs every fraction of stale-after: drops a guard's leftovers once the TTL passed, withdraws a cluster
     * unreachable for the TTL, and tells the listener when the freshness changed.
     */
    private void tick() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        revokeWhenDue(now);
        Freshness f = liveness.state(now, state.missing());
        if (f != status.freshness() || !liveness.reason(now, state.missing()).equals(status.freshnessReason())) {
            status = copy(status.id(), status.connected(), status.lastFailure(), status.connectedSince(),
                    status.lastFailureAt());
            listener.statusChanged(status);
        }
    }

    /** Drops a guard's leftovers once the TTL passed; withdraws the cluster once it is revoked. */
    private void revokeWhenDue(long now) {
        state.releaseExpiredGuard(now);
        if (liveness.holding() && liveness.state(now, state.missing()) == Freshness.REVOKED) {
            state.withdraw();
            tellConfig(null);
            LOG.log(System.Logger.Level.WARNING, "cluster {0}: {1}", config.name(),
                    liveness.reason(now, state.missing()));
        }
    }

    private static long tickNanos(RemoteClusterOptions o) {
        Duration shortest = o.ttl().isZero() || o.staleAfter().compareTo(o.ttl()) < 0 ? o.staleAfter() : o.ttl();
        long n = shortest.toNanos() / 10;
        return Math.max(TimeUnit.MILLISECONDS.toNanos(20), Math.min(n, TimeUnit.SECONDS.toNanos(1)));
    }

    /** Tells the listener the cluster's config when it differs from what it was told last. */
    private void tellConfig(ClusterConfig value) {
        if (!Objects.equals(value, clusterConfig)) {
            clusterConfig = value;
            listener.configChanged(config.name(), value);
        }
    }

    private void endSession() {
        generation++;
        // Each watch is cancelled by its owner before the client goes: closing the client alone leaves the
        // cancellation to jetcd's internals.
        for (Watch.Watcher w : watches) {
            try {
                w.close();
            } catch (RuntimeException e) {
                // The stream is gone already; closing the client below ends what is left of it.
            }
        }
        watches.clear();
        if (client != null) {
            Client c = client;
            client = null;
            try {
                c.close();
            } catch (RuntimeException e) {
                // Nothing more to release; the next session dials a new client.
            }
        }
    }

    private void publish(int id, boolean connected, String failure, Optional<Instant> since) {
        // A new failure is stamped now; a kept one keeps its time.
        boolean newFailure = !connected && !failure.isEmpty();
        revokeWhenDue(System.nanoTime());
        status = copy(id, connected, failure, since, newFailure ? Optional.of(Instant.now()) : status.lastFailureAt());
        listener.statusChanged(status);
    }

    private ClusterStatus copy(int id, boolean connected, String failure, Optional<Instant> since,
            Optional<Instant> failureAt) {
        long now = System.nanoTime();
        boolean ready = connected && liveness.holding() && state.synced().containsAll(ResourceKind.SERVICE_VIEW);
        // The revision a consumer must have programmed before it may call this session's state applied.
        syncedRevision = !ready ? 0 : syncedRevision == 0 ? revision : syncedRevision;
        return new ClusterStatus(config.name(), id, connected, ready, state.synced(),
                state.services(), state.nodes(), state.endpoints(), failure, failureAt, since, state.lastHeartbeat(),
                liveness.state(now, state.missing()), liveness.reason(now, state.missing()), revision, syncedRevision);
    }

    /**
     * Reconnection delays: from 200 ms (or the maximum, when smaller), doubling up to {@code max}, each shortened
     * by up to half at random so that agents that lost a proxy together do not come back together.
     */
    static Backoff backoff(Duration max) {
        Duration cap = max.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : max;
        Duration min = cap.compareTo(Duration.ofMillis(200)) < 0 ? cap : Duration.ofMillis(200);
        return new Backoff(min, cap, 2, 0.5);
    }

    /**
     * Reads one key. While the cluster is down with a withdrawal due, waits at most until then: the withdrawal runs
     * on this thread too, and a dial that hangs for the whole request timeout would hold it back that long.
     */
    private io.etcd.jetcd.kv.GetResponse get(String key) throws Exception {
        long wait = options.requestTimeout().toMillis();
        long due = liveness.untilRevoked(System.nanoTime());
        if (due != Long.MAX_VALUE) {
            wait = Math.max(100, Math.min(wait, TimeUnit.NANOSECONDS.toMillis(due)));
        }
        return client.getKVClient().get(bytes(key)).get(wait, TimeUnit.MILLISECONDS);
    }

    private static byte[] value(io.etcd.jetcd.kv.GetResponse r) {
        return r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().getBytes();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
