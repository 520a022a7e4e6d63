package dev.clustermesh.proxy.etcdapi;

import static dev.clustermesh.proxy.ProxyClients.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.clustermesh.proxy.cache.RangeQuery;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import java.util.ArrayList;
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
 * The hand-bound Watch service at the gRPC level, with a raw grpc-java client over mTLS and a fixed 64 KiB
 * HTTP/2 window: reflection still describes etcd's Watch service; a watcher that stops reading costs the proxy
 * no more than its queue bound ({@code mesh.api.watch-queue-bytes}) and, once it reads again, catches up from
 * the history, or, when the history ({@code mesh.api.history-bytes}) has moved past it, is told its revision
 * is compacted: never a silent gap. Also etcd's wire details a stock client does not show: client-chosen watch
 * IDs and the reason trailer of a refusal.
 */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true, initArgs = {
        @ResourceArg(name = "mesh.api.watch-queue-bytes", value = "64K"),
        @ResourceArg(name = "mesh.api.history-bytes", value = "1M")})
@Timeout(120)
class SlowWatcherIT {
    private static final ByteSequence VALUE = ByteSequence.from(new byte[32 * 1024]);
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
    void aWatcherThatStopsReadingCatchesUpFromTheHistoryOnceItReads() throws Exception {
        RawWatch watch = RawWatch.open(channel, create("mesh/v1/slow/a/"));
        long before = metrics.streamsBehind();
        List<Long> written = write("mesh/v1/slow/a/", 20);
        // 640 KiB are far more than the 64 KiB window, Netty's buffer and the 64 KiB queue bound.
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(metrics.streamsBehind()).isGreaterThan(before));
        watch.readAll();
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(watch.revisions()).hasSize(20));
        assertThat(watch.revisions()).containsExactlyElementsOf(written);
        assertThat(watch.canceled()).isEmpty();
        watch.call().cancel("done", null);
    }

    @Test
    void aWatcherTheHistoryHasLeftBehindIsToldItsRevisionIsCompacted() throws Exception {
        RawWatch watch = RawWatch.open(channel, create("mesh/v1/slow/b/"));
        long before = metrics.slowWatchersClosed();
        // 4 MiB: more than the 1 MiB history holds.
        List<Long> written = write("mesh/v1/slow/b/", 128);
        watch.readAll();
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(watch.canceled()).isNotEmpty());
        WatchResponse cancel = watch.canceled().get(0);
        assertThat(cancel.getCompactRevision()).isGreaterThan(written.get(0));
        assertThat(cancel.getCancelReason()).isEqualTo("etcdserver: mvcc: required revision has been compacted");
        // What did arrive is the start of what was written, without a gap.
        assertThat(written.subList(0, watch.revisions().size())).containsExactlyElementsOf(watch.revisions());
        assertThat(metrics.slowWatchersClosed()).isGreaterThan(before);
        watch.call().cancel("done", null);
    }

    @Test
    void aClientChosenWatchIdIsUsedAndADuplicateIsRefusedAsEtcdDoes() throws Exception {
        WatchCreateRequest chosen = create("mesh/v1/slow/c/").toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(7, UnknownFieldSet.Field.newBuilder().addVarint(42).build()).build()).build();
        RawWatch watch = RawWatch.open(channel, chosen);
        assertThat(watch.responses().get(0).getWatchId()).isEqualTo(42);
        watch.readAll();
        watch.call().sendMessage(WatchRequest.newBuilder().setCreateRequest(chosen).build());
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(watch.responses()).hasSize(2));
        WatchResponse duplicate = watch.responses().get(1);
        assertThat(duplicate.getCreated()).isTrue();
        assertThat(duplicate.getCanceled()).isTrue();
        assertThat(duplicate.getWatchId()).isEqualTo(-1);
        assertThat(duplicate.getCancelReason()).isEqualTo(WatchStream.DUPLICATE_ID);
        long revision = write("mesh/v1/slow/c/", 1).get(0);
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(watch.revisions()).containsExactly(revision));
        assertThat(watch.responses().get(2).getWatchId()).isEqualTo(42);
        watch.call().cancel("done", null);
    }

    @Test
    void aRefusalCarriesEtcdsTextAndTheReasonInATrailer() throws Exception {
        AtomicReference<Status> status = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        ClientCall<PutRequest, PutResponse> put = channel.newCall(KVGrpc.getPutMethod(), CallOptions.DEFAULT);
        put.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status s, Metadata t) {
                trailers.set(t);
                status.set(s);
            }
        }, new Metadata());
        put.request(1);
        put.sendMessage(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("mesh/v1/x")).build());
        put.halfClose();
        Eventually.await(Duration.ofSeconds(20), () -> assertThat(status.get()).isNotNull());
        assertThat(status.get().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.get().getDescription()).isEqualTo("etcdserver: permission denied");
        assertThat(trailers.get().get(ApiErrors.REASON)).contains("mesh-proxy is read-only: Put is not allowed");
    }

    private static WatchCreateRequest create(String prefix) {
        return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(prefix))
                .setRangeEnd(RangeQuery.prefixEnd(ByteString.copyFromUtf8(prefix))).build();
    }

    /** Writes {@code n} 32 KiB values under {@code prefix} straight to etcd; returns their revisions. */
    private static List<Long> write(String prefix, int n) throws Exception {
        List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            revisions.add(upstream.getKVClient().put(bytes(prefix + "key-" + (i % 8)), VALUE).get()
                    .getHeader().getRevision());
        }
        return revisions;
    }

    /** A watch stream read only when asked to: after "created", nothing until {@link #readAll()}. */
    private record RawWatch(ClientCall<WatchRequest, WatchResponse> call, List<WatchResponse> responses) {
        static RawWatch open(ManagedChannel channel, WatchCreateRequest create) {
            List<WatchResponse> responses = new CopyOnWriteArrayList<>();
            ClientCall<WatchRequest, WatchResponse> call = channel.newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT);
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(WatchResponse r) {
                    responses.add(r);
                }
            }, new Metadata());
            call.request(1);
            call.sendMessage(WatchRequest.newBuilder().setCreateRequest(create).build());
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(responses).hasSize(1));
            assertThat(responses.get(0).getCreated()).isTrue();
            return new RawWatch(call, responses);
        }

        void readAll() {
            call.request(Integer.MAX_VALUE);
        }

        List<Long> revisions() {
            return responses.stream().flatMap(r -> r.getEventsList().stream()).map(e -> e.getKv().getModRevision())
                    .toList();
        }

        List<WatchResponse> canceled() {
            return responses.stream().filter(r -> r.getCanceled() && !r.getCreated()).toList();
        }
    }
}
