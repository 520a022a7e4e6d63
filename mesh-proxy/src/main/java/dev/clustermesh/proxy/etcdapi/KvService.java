package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.cache.RangeQuery;
import dev.clustermesh.proxy.config.ProxySettings;
import dev.clustermesh.proxy.vertx.ConnectionWatch;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import dev.clustermesh.proxy.cache.UpstreamFeed;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * etcd's KV service, read-only: Range and read-only Txn from the cache; every write is refused. A Range at a
 * revision newer than the cache's first asks the upstream watch for progress and waits for it a little, so a
 * client that read etcd's revision elsewhere is answered rather than told "future revision".
 */
@GrpcService
final class KvService implements KVGrpc.AsyncService, BindableService {
    /** How long a Range at a newer revision waits for the cache to reach it. */
    static final Duration FUTURE_WAIT = Duration.ofSeconds(2);
    private static final String RANGE_PATH = "/" + KVGrpc.getRangeMethod().getFullMethodName();

    private final KvCache cache;
    private final UpstreamFeed feed;
    private final AccessPolicy policy;
    private final ApiMetrics metrics;
    private final RangeBytes ranges;
    private final RangeBudget budget = RangeBudget.ofHeap();
    private final ConnectionWatch connections;

    KvService(KvCache cache, UpstreamFeed feed, ProxySettings settings, ApiMetrics metrics,
            ConnectionWatch connections) {
        this.connections = connections;
        this.cache = cache;
        this.feed = feed;
        this.policy = new AccessPolicy(settings.cluster().name());
        this.metrics = metrics;
        this.ranges = new RangeBytes(cache);
        metrics.rangeBudget(budget);
    }

    /** The generated binding, with Range answering encoded responses ({@link RangeMethod}). */
    @Override
    public ServerServiceDefinition bindService() {
        return RangeMethod.bind(KVGrpc.bindService(this), this::rangeEncoded);
    }

    void rangeEncoded(RangeRequest req, StreamObserver<byte[]> out) {
        ClientIdentity who = IdentityInterceptor.IDENTITY.get();
        Context context = Vertx.currentContext();
        RangeSend send = context == null ? null : new RangeSend(budget, out, context,
                connections.writeFence(RANGE_PATH));
        if (cache.ready() && req.getRevision() > cache.revision()) {
            feed.requestProgress();
            Executor back = context == null ? ForkJoinPool.commonPool() : r -> context.runOnContext(v -> r.run());
            // Answered off the cache lock (the waiter completes under it), whether the cache got there or not.
            cache.awaitRevision(req.getRevision()).orTimeout(FUTURE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((rev, t) -> range(who, req, out, send), back);
            return;
        }
        range(who, req, out, send);
    }

    /**
     * Answers from the cache. The answer is encoded only once its estimated size fits in the {@link RangeBudget}:
     * waiting answers hold no memory.
     */
    private void range(ClientIdentity who, RangeRequest req, StreamObserver<byte[]> out, RangeSend send) {
        try {
            if (req.getKey().isEmpty()) {
                throw ApiErrors.emptyKey();
            }
            check(who, RangeQuery.of(req));
            ready();
        } catch (RuntimeException e) {
            refuse(out, e);
            return;
        }
        Supplier<byte[]> encode = () -> {
            try {
                byte[] answer = ranges.answer(req);
                metrics.request("Range", "OK");
                return answer;
            } catch (RuntimeException e) {
                io.grpc.StatusRuntimeException s = ApiErrors.of(e);
                metrics.request("Range", s.getStatus().getCode().name());
                throw s;
            }
        };
        if (send == null) {
            // Not on a Vert.x context (never the case behind Quarkus's gRPC server): answered without the bound.
            try {
                out.onNext(encode.get());
                out.onCompleted();
            } catch (io.grpc.StatusRuntimeException e) {
                out.onError(e);
            }
            return;
        }
        // An answer of unknown size is charged the whole bound: it goes alone, and then its size is known.
        long size = ranges.estimate(req, -1);
        send.send(size < 0 ? budget.limit() : RangeSend.COPIES * size, encode);
    }

    private void refuse(StreamObserver<byte[]> out, RuntimeException e) {
        io.grpc.StatusRuntimeException s = ApiErrors.of(e);
        metrics.request("Range", s.getStatus().getCode().name());
        out.onError(s);
    }

    /** The bound on Range answers in flight (for tests and metrics). */
    RangeBudget rangeBudget() {
        return budget;
    }

    @Override
    public void txn(TxnRequest req, StreamObserver<TxnResponse> out) {
        Calls.unary(metrics, "Txn", out, () -> {
            if (ReadOnlyTxn.writes(req)) {
                throw ApiErrors.readOnly("Txn with writes");
            }
            ClientIdentity who = Calls.identity();
            return ReadOnlyTxn.answer(ready(), req, q -> check(who, q));
        });
    }

    @Override
    public void put(PutRequest req, StreamObserver<PutResponse> out) {
        Calls.unary(metrics, "Put", out, () -> {
            throw ApiErrors.readOnly("Put");
        });
    }

    @Override
    public void deleteRange(DeleteRangeRequest req, StreamObserver<DeleteRangeResponse> out) {
        Calls.unary(metrics, "DeleteRange", out, () -> {
            throw ApiErrors.readOnly("DeleteRange");
        });
    }

    @Override
    public void compact(CompactionRequest req, StreamObserver<CompactionResponse> out) {
        Calls.unary(metrics, "Compact", out, () -> {
            throw ApiErrors.readOnly("Compact");
        });
    }

    private void check(ClientIdentity who, RangeQuery q) {
        if (who == null) {
            throw ApiErrors.denied("no client identity");
        }
        policy.denial(who, q).ifPresent(why -> {
            throw ApiErrors.denied(why);
        });
    }

    private KvCache ready() {
        if (!cache.ready()) {
            throw ApiErrors.notReady();
        }
        return cache;
    }
}
