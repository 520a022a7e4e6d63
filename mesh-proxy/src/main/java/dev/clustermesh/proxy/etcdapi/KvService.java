package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.cache.RangeQuery;
import dev.clustermesh.proxy.config.ProxySettings;
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
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/** etcd's KV service, read-only: Range and read-only Txn from the cache; every write is refused. */
@GrpcService
final class KvService implements KVGrpc.AsyncService, BindableService {
    private final KvCache cache;
    private final AccessPolicy policy;
    private final ApiMetrics metrics;
    private final RangeBytes ranges;

    KvService(KvCache cache, ProxySettings settings, ApiMetrics metrics) {
        this.cache = cache;
        this.policy = new AccessPolicy(settings.cluster().name());
        this.metrics = metrics;
        this.ranges = new RangeBytes(cache);
    }

    /** The generated binding, with Range answering encoded responses ({@link RangeMethod}). */
    @Override
    public ServerServiceDefinition bindService() {
        return RangeMethod.bind(KVGrpc.bindService(this), this::rangeEncoded);
    }

    void rangeEncoded(RangeRequest req, StreamObserver<byte[]> out) {
        Calls.unary(metrics, "Range", out, () -> {
            check(RangeQuery.of(req));
            ready();
            return ranges.answer(req);
        });
    }

    @Override
    public void txn(TxnRequest req, StreamObserver<TxnResponse> out) {
        Calls.unary(metrics, "Txn", out, () -> {
            if (ReadOnlyTxn.writes(req)) {
                throw ApiErrors.readOnly("Txn with writes");
            }
            return ReadOnlyTxn.answer(ready(), req, this::check);
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

    private void check(RangeQuery q) {
        policy.denial(Calls.identity(), q).ifPresent(why -> {
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
