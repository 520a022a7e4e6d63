package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Eventually;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hand-bound Watch service at the gRPC level, with a raw grpc-java client over mTLS: reflection still
 * describes etcd's Watch service, and a watcher that stops reading is cut off with RESOURCE_EXHAUSTED once
 * it is {@code mesh.api.watch-queue-bytes} behind, instead of growing the proxy's memory.
 */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "mesh.api.watch-queue-bytes", value = "64K"))
@Timeout(120)
class SlowWatcherIT {
    private static Client upstream;
    private static ManagedChannel channel;

    @Inject
    ApiMetrics metrics;

    @BeforeAll
    static void connect() throws Exception {
        upstream = ProxyClients.upstream();
        // A small, fixed HTTP/2 window: a client that stops reading blocks the stream after 64 KiB.
        channel = ProxyClients.channel(ProxyTestEnvironment.current().local(), 65_535);
    }

    @AfterAll
    static void close() {
        upstream.close();
        channel.shutdownNow();
    }

    @Test
    void reflectionListsEtcdsWatchServiceWithItsDescriptor() {
        List<ServerReflectionResponse> answers = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        answers.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        failed.set(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol("etcdserverpb.Watch").build());
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(answers).hasSize(2));
        requests.onCompleted();
        assertThat(failed.get()).isNull();
        assertThat(answers.get(0).getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
                .contains("etcdserverpb.Watch", "etcdserverpb.KV");
        assertThat(answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoCount()).isPositive();
    }

    @Test
    void aWatcherThatStopsReadingIsClosedWithResourceExhausted() throws Exception {
        AtomicReference<Status> closed = new AtomicReference<>();
        List<WatchResponse> received = new CopyOnWriteArrayList<>();
        ClientCall<WatchRequest, WatchResponse> call = channel.newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(WatchResponse r) {
                received.add(r);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.set(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("mesh/v1/slow/")).setRangeEnd(ByteString.copyFromUtf8("mesh/v1/slow0")))
                .build());
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(received).hasSize(1));
        assertThat(received.get(0).getCreated()).isTrue();
        long before = metrics.slowWatchersClosed();
        ByteSequence value = ByteSequence.from(new byte[32 * 1024]);
        // 64 KiB of HTTP/2 window, Netty's buffer and 64 KiB of queue are far less than these 4 MiB.
        for (int i = 0; i < 128; i++) {
            upstream.getKVClient().put(bytes("mesh/v1/slow/key-" + (i % 8)), value).get();
        }
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(metrics.slowWatchersClosed()).isGreaterThan(before));
        call.request(Integer.MAX_VALUE);
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(closed.get()).isNotNull());
        assertThat(closed.get().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(closed.get().getDescription()).contains("bytes behind; re-list and watch again");
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(metrics.watchers("local-cluster1")).isZero());
    }
}
