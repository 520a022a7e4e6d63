package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DefragmentResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/**
 * etcd's Maintenance service: {@code Status} describes the proxy's cache (revision, size) so that
 * {@code etcdctl endpoint status} works; reading alarms works and finds none; everything that changes the
 * server is refused; hashes and snapshots are not offered.
 */
@GrpcService
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    /** Reported as the server version; a mesh-proxy speaks the etcd 3.4 API. */
    static final String VERSION = "3.4.0-mesh-proxy";

    private final KvCache cache;
    private final ApiMetrics metrics;

    MaintenanceService(KvCache cache, ApiMetrics metrics) {
        this.cache = cache;
        this.metrics = metrics;
    }

    @Override
    public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
        Calls.unary(metrics, "Status", out, () -> {
            ResponseHeader h = cache.header();
            return StatusResponse.newBuilder().setHeader(h).setVersion(VERSION).setDbSize(cache.bytes())
                    .setLeader(h.getMemberId()).setRaftIndex(h.getRevision()).setRaftTerm(h.getRaftTerm()).build();
        });
    }

    @Override
    public void alarm(AlarmRequest req, StreamObserver<AlarmResponse> out) {
        Calls.unary(metrics, "Alarm", out, () -> {
            if (req.getAction() != AlarmRequest.AlarmAction.GET) {
                throw ApiErrors.readOnly("Alarm " + req.getAction());
            }
            return AlarmResponse.newBuilder().setHeader(cache.header()).build();
        });
    }

    @Override
    public void defragment(DefragmentRequest req, StreamObserver<DefragmentResponse> out) {
        Calls.unary(metrics, "Defragment", out, () -> {
            throw ApiErrors.readOnly("Defragment");
        });
    }

    @Override
    public void moveLeader(MoveLeaderRequest req, StreamObserver<MoveLeaderResponse> out) {
        Calls.unary(metrics, "MoveLeader", out, () -> {
            throw ApiErrors.readOnly("MoveLeader");
        });
    }
}
