package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.config.ProxySettings;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/** etcd's Watch service over the cache: many watches per stream, served by the {@link WatchHub}. */
@GrpcService
final class WatchService extends WatchGrpc.WatchImplBase {
    private final KvCache cache;
    private final WatchHub hub;
    private final AccessPolicy policy;
    private final ApiMetrics metrics;

    WatchService(KvCache cache, WatchHub hub, ProxySettings settings, ApiMetrics metrics) {
        this.cache = cache;
        this.hub = hub;
        this.policy = new AccessPolicy(settings.cluster().name());
        this.metrics = metrics;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
        WatchStream stream = new WatchStream(Calls.identity(), out, cache, hub, policy, metrics);
        if (out instanceof ServerCallStreamObserver<WatchResponse> call) {
            call.setOnCancelHandler(stream::close);
        }
        ConnectionWatch.onClose(stream::close);
        metrics.request("Watch", "OK");
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchRequest req) {
                stream.handle(req);
            }

            @Override
            public void onError(Throwable t) {
                stream.close();
            }

            @Override
            public void onCompleted() {
                stream.close();
                out.onCompleted();
            }
        };
    }
}
