package dev.clustermesh.proxy.export.etcd;

import dev.clustermesh.core.worker.Backoff;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * {@link Election} on an etcd lease: create the key if absent ({@code create_revision == 0}) with this
 * replica's lease, keep the lease alive, watch the key to campaign again as soon as it is deleted.
 */
final class LeaseElection implements Election {
    private static final Logger LOG = Logger.getLogger(LeaseElection.class);

    private final Client client;
    private final String keyText;
    private final ByteSequence key;
    private final ByteSequence identity;
    private final Duration ttl;
    private final Duration timeout;
    private final Runnable onChange;
    private final Duration poll;
    private final Semaphore wake = new Semaphore(0);
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 2, 0.2);
    private volatile boolean closed;
    private volatile Term term;
    private volatile long lostLease;
    private volatile long lastRenewNanos;
    private volatile boolean watchBroken;
    private volatile boolean keyDeleted;
    private long nextCampaign;
    private Thread thread;
    // Owned by the election thread (and by close() once that thread has ended).
    private long leaseId;
    private CloseableClient keepAlive;
    private Watch.Watcher watcher;
    private boolean failing;

    LeaseElection(Client client, String key, String identity, Duration ttl, Duration timeout, Runnable onChange) {
        if (ttl.toSeconds() < 2) {
            throw new IllegalArgumentException("lease TTL " + ttl + " is below etcd's minimum of 2s");
        }
        this.client = client;
        this.keyText = key;
        this.key = JetcdKeyStore.bytes(key);
        this.identity = JetcdKeyStore.bytes(identity);
        this.ttl = ttl;
        this.timeout = timeout;
        this.onChange = onChange;
        long quarter = Math.max(100, ttl.toMillis() / 4);
        this.poll = Duration.ofMillis(Math.min(1000, quarter));
        this.nextCampaign = System.nanoTime();
    }

    @Override
    public synchronized void start() {
        if (thread == null && !closed) {
            thread = new Thread(this::run, "mesh-export-election");
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public Optional<Term> term() {
        return Optional.ofNullable(term);
    }

    @Override
    public void lost(Term t) {
        if (t.equals(term)) {
            lostLease = t.leaseId();
            setTerm(null);
            wake.release();
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        wake.release();
        if (t != null) {
            join(t);
        }
        setTerm(null);
        if (watcher != null) {
            watcher.close();
        }
        dropLease("resigning");
    }

    private void run() {
        while (!closed) {
            Duration wait = poll;
            try {
                step();
                if (failing) {
                    LOG.infof("election %s: etcd reachable again", keyText);
                }
                failing = false;
                backoff.reset();
            } catch (RuntimeException e) {
                if (!failing) {
                    LOG.warnf("election %s: %s; retrying with backoff", keyText, e.getMessage());
                }
                failing = true;
                wait = backoff.next();
            }
            await(wait);
        }
    }

    private void step() {
        if (leaseId != 0 && (lostLease == leaseId || expiredLocally())) {
            dropLease(lostLease == leaseId ? "lease lost" : "lease not renewed within " + ttl);
        }
        if (watchBroken || watcher == null) {
            watchKey();
        }
        if (leaseId == 0) {
            grantLease();
        }
        // Campaign when the key was deleted, else now and then in case a deletion went unseen (watch restart).
        if (term == null && (keyDeleted || System.nanoTime() - nextCampaign >= 0)) {
            keyDeleted = false;
            nextCampaign = System.nanoTime() + ttl.toNanos() / 2;
            campaign();
        }
    }

    private void grantLease() {
        long id = Requests.await(client.getLeaseClient().grant(ttl.toSeconds()), timeout, "lease grant").getID();
        leaseId = id;
        lastRenewNanos = System.nanoTime();
        keepAlive = client.getLeaseClient().keepAlive(id, new StreamObserver<LeaseKeepAliveResponse>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
                lastRenewNanos = System.nanoTime();
            }

            @Override
            public void onError(Throwable e) {
                leaseGone(id);
            }

            @Override
            public void onCompleted() {
                leaseGone(id);
            }
        });
    }

    private void leaseGone(long id) {
        lostLease = id;
        Term t = term;
        if (t != null && t.leaseId() == id) {
            setTerm(null);
        }
        wake.release();
    }

    private void campaign() {
        Cmp absent = new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0));
        Op create = Op.put(key, identity, PutOption.builder().withLeaseId(leaseId).build());
        TxnResponse r = Requests.await(client.getKVClient().txn().If(absent).Then(create)
                .Else(Op.get(key, GetOption.DEFAULT)).commit(), timeout, "campaign on " + keyText);
        if (r.isSucceeded()) {
            // The transaction's revision is the revision that created the key.
            becomeLeader(new Term(leaseId, r.getHeader().getRevision()));
            return;
        }
        List<KeyValue> current = r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
        if (!current.isEmpty() && current.get(0).getLease() == leaseId) {
            // An earlier campaign of ours succeeded but its answer was lost (timeout): the key is ours.
            becomeLeader(new Term(leaseId, current.get(0).getCreateRevision()));
        }
    }

    private void becomeLeader(Term t) {
        LOG.infof("election %s: %s leads (lease %x, create revision %d)", keyText,
                identity.toString(StandardCharsets.UTF_8), t.leaseId(), t.createRevision());
        setTerm(t);
    }

    private void watchKey() {
        if (watcher != null) {
            watcher.close();
        }
        watchBroken = false;
        // Only deletions matter: the key disappears when its leader's lease expires or is revoked.
        watcher = client.getWatchClient().watch(key, WatchOption.builder().withNoPut(true).build(),
                Watch.listener(response -> {
                    keyDeleted = true;
                    wake.release();
                }, error -> {
                    watchBroken = true;
                    wake.release();
                }));
    }

    private void dropLease(String why) {
        LOG.debugf("election %s: dropping lease %x (%s)", keyText, leaseId, why);
        setTerm(null);
        if (keepAlive != null) {
            keepAlive.close();
            keepAlive = null;
        }
        long id = leaseId;
        leaseId = 0;
        keyDeleted = true;
        if (id != 0) {
            try {
                // Revoking deletes the election key at once, so the next leader need not wait for the TTL.
                Requests.await(client.getLeaseClient().revoke(id), timeout, "lease revoke");
            } catch (StoreException e) {
                LOG.debugf("election %s: could not revoke lease %x (%s); it expires by itself",
                        keyText, id, e.getMessage());
            }
        }
    }

    private boolean expiredLocally() {
        return System.nanoTime() - lastRenewNanos > ttl.toNanos();
    }

    private synchronized void setTerm(Term t) {
        Term old = term;
        term = t;
        if (old == null ? t != null : !old.equals(t)) {
            if (old != null) {
                LOG.infof("election %s: %s no longer leads (lease %x)", keyText,
                        identity.toString(StandardCharsets.UTF_8), old.leaseId());
            }
            onChange.run();
        }
    }

    private void await(Duration d) {
        try {
            if (wake.tryAcquire(d.toMillis(), TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void join(Thread t) {
        try {
            t.join(timeout.plusSeconds(1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
