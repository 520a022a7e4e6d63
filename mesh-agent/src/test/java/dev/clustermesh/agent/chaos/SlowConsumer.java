package dev.clustermesh.agent.chaos;

import com.google.protobuf.ByteString;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A client of one cluster's mesh-proxy that asks and never reads: twenty watches of every key from revision 1 and
 * twenty lists of them all on one connection with the smallest HTTP/2 receive window, no message ever requested,
 * so the proxy's sends back up behind flow control. The proxy must bound what it queues for it and keep serving
 * everyone else.
 */
final class SlowConsumer implements AutoCloseable {
    private static final ByteString PREFIX = ByteString.copyFromUtf8("mesh/v1/");
    private static final ByteString END = ByteString.copyFromUtf8("mesh/v10");
    /** Watches and lists it opens (each): together far more than its receive window holds. */
    private static final int STREAMS = 20;
    /** HTTP/2's smallest receive window: the proxy's sends back up after 64 KiB. */
    private static final int WINDOW = 65_535;
    private final ManagedChannel channel;
    private final List<ClientCall<?, ?>> calls;

    SlowConsumer(int port, Ca ca, Issued client) {
        try {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(GrpcSslContexts.forClient()
                    .trustManager(ca.certPem().toFile())
                    .keyManager(client.certPem().toFile(), client.keyPem().toFile()).build())
                    .flowControlWindow(WINDOW).build();
        } catch (SSLException e) {
            throw new IllegalStateException("slow consumer: bad TLS material: " + e.getMessage(), e);
        }
        List<ClientCall<?, ?>> opened = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            ClientCall<WatchRequest, WatchResponse> watch = channel.newCall(WatchGrpc.getWatchMethod(),
                    CallOptions.DEFAULT);
            watch.start(new ClientCall.Listener<>() {
            }, new Metadata());
            watch.sendMessage(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(PREFIX).setRangeEnd(END).setStartRevision(1)).build());
            ClientCall<RangeRequest, RangeResponse> range = channel.newCall(KVGrpc.getRangeMethod(),
                    CallOptions.DEFAULT);
            range.start(new ClientCall.Listener<>() {
            }, new Metadata());
            range.sendMessage(RangeRequest.newBuilder().setKey(PREFIX).setRangeEnd(END).build());
            range.halfClose();
            opened.add(watch);
            opened.add(range);
        }
        calls = List.copyOf(opened);
    }

    @Override
    public void close() {
        calls.forEach(c -> c.cancel("the slow consumer leaves", null));
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
