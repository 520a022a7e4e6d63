package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.access.AccessList;
import dev.clustermesh.proxy.access.AccessListFile;
import dev.clustermesh.proxy.access.Fingerprint;
import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.config.ProxySettings;
import dev.clustermesh.proxy.vertx.ConnectionWatch;
import io.etcd.jetcd.api.WatchRequest;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/**
 * etcd's Watch service over the cache: many watches per stream, served by the {@link WatchHub}. Bound by hand
 * ({@link WatchMethod}) rather than through {@code WatchGrpc.WatchImplBase}, so responses go out as
 * {@link WatchFrame}s: events encoded once for all watchers instead of once per watcher.
 *
 * <p>When the access list changes, every open stream whose caller it no longer lets in ends with
 * {@code PERMISSION_DENIED} at once (the file is checked every second), and so does any later create on a
 * stream opened before the change.
 */
@GrpcService
final class WatchService implements BindableService {
    private final KvCache cache;
    private final WatchHub hub;
    private final AccessPolicy policy;
    private final ApiMetrics metrics;
    private final long maxQueuedBytes;
    private final QueueBudget budget;
    private final ConnectionWatch connections;
    private final AccessListFile access;
    /** Encodings of history events shared by streams catching up; a few MiB cover streams behind together. */
    private final SharedEncodings encodings = new SharedEncodings(8L << 20);

    WatchService(KvCache cache, WatchHub hub, QueueBudget budget, ProxySettings settings, ApiMetrics metrics,
            ConnectionWatch connections, AccessListFile access) {
        this.connections = connections;
        this.access = access;
        access.onChange(this::revoke);
        this.cache = cache;
        this.hub = hub;
        this.policy = new AccessPolicy(settings.cluster().name());
        this.metrics = metrics;
        this.maxQueuedBytes = settings.watchQueueBytes();
        this.budget = budget;
    }

    /**
     * Ends the streams of callers the new list (now in force, which each stream's admission reads) no longer lets
     * in. Under the cache lock, as watch creation checks admission, so no create slips between the two.
     */
    private void revoke(AccessList inForce) {
        cache.consistent(() -> {
            hub.each(s -> s.revoked().ifPresent(s::deny));
            return true;
        });
    }

    @Override
    public ServerServiceDefinition bindService() {
        return WatchMethod.bind(this::watch);
    }

    StreamObserver<WatchRequest> watch(StreamObserver<WatchFrame> out) {
        ClientIdentity who = Calls.identity();
        Fingerprint fp = Calls.fingerprint();
        WatchStream stream = new WatchStream(who, () -> policy.refusal(who, fp, access.current()), out, maxQueuedBytes,
                budget, cache, hub, policy, metrics, encodings);
        if (out instanceof ServerCallStreamObserver<WatchFrame> call) {
            call.setOnCancelHandler(stream::close);
        }
        connections.onClose(stream::close);
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
