package dev.clustermesh.bench;

import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes straight into etcd: the preload of every service, and updates at a steady rate, each value stamped
 * with its send time just before the Put leaves.
 */
final class UpdateWriter {
    /** etcd's default --max-txn-ops is 128. */
    private static final int TXN_OPS = 100;
    /** Puts in flight at most; past that the writer falls behind rather than queueing without bound. */
    private static final int IN_FLIGHT = 512;

    private final Channel channel;
    private final ServiceValues values;

    UpdateWriter(Channel channel, ServiceValues values) {
        this.channel = channel;
        this.values = values;
    }

    /** Puts every service without a send time, {@value #TXN_OPS} per transaction; returns the revision. */
    long preload() {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
        long revision = 0;
        for (int from = 0; from < values.size(); from += TXN_OPS) {
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            for (int i = from; i < Math.min(values.size(), from + TXN_OPS); i++) {
                txn.addSuccess(RequestOp.newBuilder().setRequestPut(
                        PutRequest.newBuilder().setKey(values.key(i)).setValue(values.unstamped(i))));
            }
            revision = kv.txn(txn.build()).getHeader().getRevision();
        }
        long count = kv.range(RangeRequest.newBuilder().setKey(ServiceValues.prefix())
                .setRangeEnd(AgentWatcher.rangeEnd(ServiceValues.prefix())).setCountOnly(true).build()).getCount();
        if (count < values.size()) {
            throw new IllegalStateException("preloaded " + values.size() + " services but etcd holds " + count);
        }
        return revision;
    }

    /**
     * Puts {@code rate} updates per second for {@code duration}, round-robin over the services, and waits for
     * every answer (at most 30 s).
     *
     * @return what was written; the watchers expect every update in {@link Written#applied()}
     */
    Written write(int rate, Duration duration) throws InterruptedException {
        long total = rate * duration.toSeconds();
        long period = 1_000_000_000L / rate;
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>("");
        KVGrpc.KVStub kv = KVGrpc.newStub(channel);
        long before = revision();
        long start = ServiceValues.now();
        for (long i = 0; i < total; i++) {
            long wait = start + i * period - ServiceValues.now();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            int service = (int) (i % values.size());
            kv.put(PutRequest.newBuilder().setKey(values.key(service)).setValue(values.stamped(service)).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(PutResponse r) {
                            acked.incrementAndGet();
                        }

                        @Override
                        public void onError(Throwable t) {
                            failed.incrementAndGet();
                            error.compareAndSet("", String.valueOf(t.getMessage()));
                            inFlight.release();
                        }

                        @Override
                        public void onCompleted() {
                            inFlight.release();
                        }
                    });
        }
        long sentAt = ServiceValues.now();
        boolean answered = inFlight.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS);
        return new Written(total, acked.get(), failed.get() + (answered ? 0 : IN_FLIGHT - inFlight.availablePermits()),
                revision() - before, start, sentAt, error.get());
    }

    /**
     * etcd's current revision. Only the writer writes during a phase and each Put makes one revision, so the
     * difference over a phase counts the updates etcd applied, including Puts that timed out at the writer
     * but were applied all the same. Serializable: a linearizable read waits behind an overloaded etcd.
     */
    private long revision() {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder().setKey(ServiceValues.prefix()).setLimit(1).setKeysOnly(true)
                        .setSerializable(true).build()).getHeader().getRevision();
    }

    /**
     * The outcome of one update phase.
     *
     * @param attempted Puts issued
     * @param acked Puts etcd confirmed
     * @param failed Puts that failed or were not answered in time
     * @param applied updates etcd applied (its revision went up by this much)
     * @param start benchmark-clock time of the first Put
     * @param end benchmark-clock time the last Put was issued
     * @param error the first Put error, empty when none
     */
    record Written(long attempted, long acked, long failed, long applied, long start, long end, String error) {
        /** Puts per second the writer achieved. */
        double rate() {
            return acked * 1e9 / Math.max(1, end - start);
        }
    }
}
