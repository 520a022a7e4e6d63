package dev.clustermesh.proxy.etcdapi;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.cache.RangeQuery;
import dev.clustermesh.proxy.config.ProxySettings;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SortedSet;

/**
 * etcd's Lease service, read-only: {@code LeaseTimeToLive} asks the upstream etcd (attached keys limited to
 * those the caller may read), {@code LeaseLeases} lists the leases of the keys the caller may read from the
 * cache; granting, revoking and keeping leases alive are writes and refused.
 */
@GrpcService
final class LeaseService implements BindableService {
    /** {@code LeaseLeases}, newer than the proto this build compiles against: its messages are coded here. */
    static final MethodDescriptor<byte[], byte[]> LEASES = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(LeaseGrpc.SERVICE_NAME, "LeaseLeases"))
            .setRequestMarshaller(new RangeMethod.BytesMarshaller()).setResponseMarshaller(new RangeMethod.BytesMarshaller())
            .build();

    private final KvCache cache;
    private final Client upstream;
    private final AccessPolicy policy;
    private final ApiMetrics metrics;

    LeaseService(KvCache cache, Client upstream, ProxySettings settings, ApiMetrics metrics) {
        this.cache = cache;
        this.upstream = upstream;
        this.policy = new AccessPolicy(settings.cluster().name());
        this.metrics = metrics;
    }

    @Override
    public ServerServiceDefinition bindService() {
        ServiceDescriptor stock = LeaseGrpc.getServiceDescriptor();
        ServiceDescriptor.Builder d = ServiceDescriptor.newBuilder(stock.getName())
                .setSchemaDescriptor(stock.getSchemaDescriptor());
        stock.getMethods().forEach(d::addMethod);
        d.addMethod(LEASES);
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(d.build());
        b.addMethod(LeaseGrpc.getLeaseGrantMethod(), ServerCalls.asyncUnaryCall((req, out) -> refuse("LeaseGrant", out)));
        b.addMethod(LeaseGrpc.getLeaseRevokeMethod(), ServerCalls.asyncUnaryCall((req, out) -> refuse("LeaseRevoke", out)));
        b.addMethod(LeaseGrpc.getLeaseKeepAliveMethod(), ServerCalls.asyncBidiStreamingCall(out -> {
            refuse("LeaseKeepAlive", out);
            return new Ignore<>();
        }));
        b.addMethod(LeaseGrpc.getLeaseTimeToLiveMethod(), ServerCalls.asyncUnaryCall(this::timeToLive));
        b.addMethod(LEASES, ServerCalls.asyncUnaryCall(this::leases));
        return b.build();
    }

    private void timeToLive(LeaseTimeToLiveRequest req, StreamObserver<LeaseTimeToLiveResponse> out) {
        ClientIdentity who = Calls.identity();
        LeaseOption option = req.getKeys() ? LeaseOption.builder().withAttachedKeys().build() : LeaseOption.DEFAULT;
        upstream.getLeaseClient().timeToLive(req.getID(), option).whenComplete((r, t) ->
                Calls.unary(metrics, "LeaseTimeToLive", out, () -> {
                    if (t != null) {
                        throw ApiErrors.unavailable("the upstream etcd did not answer LeaseTimeToLive");
                    }
                    LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder().setHeader(cache.header())
                            .setID(r.getID()).setTTL(r.getTTL()).setGrantedTTL(r.getGrantedTTL());
                    r.getKeys().stream().map(k -> ByteString.copyFrom(k.getBytes()))
                            .filter(k -> policy.denial(who, new RangeQuery(k, ByteString.EMPTY)).isEmpty())
                            .forEach(b::addKeys);
                    return b.build();
                }));
    }

    private void leases(byte[] req, StreamObserver<byte[]> out) {
        ClientIdentity who = Calls.identity();
        Calls.unary(metrics, "LeaseLeases", out, () -> {
            SortedSet<Long> ids = cache.leases(k -> policy.denial(who, new RangeQuery(k, ByteString.EMPTY)).isEmpty());
            return encodeLeases(cache.header().toByteArray(), List.copyOf(ids));
        });
    }

    /** {@code LeaseLeasesResponse{header = 1; repeated LeaseStatus leases = 2}}, {@code LeaseStatus{int64 ID = 1}}. */
    static byte[] encodeLeases(byte[] header, List<Long> ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(bytes);
        try {
            o.writeByteArray(1, header);
            for (long id : ids) {
                o.writeTag(2, 2);
                o.writeUInt32NoTag(CodedOutputStream.computeInt64Size(1, id));
                o.writeInt64(1, id);
            }
            o.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding LeaseLeasesResponse", e);
        }
        return bytes.toByteArray();
    }

    private void refuse(String method, StreamObserver<?> out) {
        metrics.request(method, "PERMISSION_DENIED");
        out.onError(ApiErrors.readOnly(method));
    }

    /** Swallows whatever a refused stream still sends. */
    private static final class Ignore<Q> implements StreamObserver<Q> {
        @Override
        public void onNext(Q value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
