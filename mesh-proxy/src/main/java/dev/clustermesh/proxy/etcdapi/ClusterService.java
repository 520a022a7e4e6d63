package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.config.ProxySettings;
import dev.clustermesh.proxy.vertx.ConnectionWatch;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MemberUpdateResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/**
 * etcd's Cluster service, answered by the proxy about itself: {@code MemberList} names one member, this proxy,
 * whose client URL is the address the caller dialled, so that {@code clientv3}'s {@code Sync()} keeps using
 * this proxy and {@code etcdctl member list} works. Changing membership is refused as a write.
 */
@GrpcService
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final KvCache cache;
    private final ApiMetrics metrics;
    private final String name;
    private final ConnectionWatch connections;

    ClusterService(KvCache cache, ProxySettings settings, ApiMetrics metrics, ConnectionWatch connections) {
        this.connections = connections;
        this.cache = cache;
        this.metrics = metrics;
        this.name = "mesh-proxy-" + settings.cluster().name();
    }

    @Override
    public void memberList(MemberListRequest req, StreamObserver<MemberListResponse> out) {
        String url = connections.authority().map(a -> "https://" + a).orElse("");
        Calls.unary(metrics, "MemberList", out, () -> {
            ResponseHeader h = cache.header();
            Member.Builder self = Member.newBuilder().setID(h.getMemberId()).setName(name);
            if (!url.isEmpty()) {
                self.addClientURLs(url);
            }
            return MemberListResponse.newBuilder().setHeader(h).addMembers(self).build();
        });
    }

    @Override
    public void memberAdd(MemberAddRequest req, StreamObserver<MemberAddResponse> out) {
        Calls.unary(metrics, "MemberAdd", out, () -> {
            throw ApiErrors.readOnly("MemberAdd");
        });
    }

    @Override
    public void memberRemove(MemberRemoveRequest req, StreamObserver<MemberRemoveResponse> out) {
        Calls.unary(metrics, "MemberRemove", out, () -> {
            throw ApiErrors.readOnly("MemberRemove");
        });
    }

    @Override
    public void memberUpdate(MemberUpdateRequest req, StreamObserver<MemberUpdateResponse> out) {
        Calls.unary(metrics, "MemberUpdate", out, () -> {
            throw ApiErrors.readOnly("MemberUpdate");
        });
    }
}
