package dev.clustermesh.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * mTLS gRPC channels to one server, each its own TCP and TLS connection, as separate agents would have.
 * Callbacks run on the Netty event loop ({@code directExecutor}): watchers only stamp and count, so a hop to
 * another thread would cost more than it saves.
 */
final class TlsChannels implements AutoCloseable {
    /** A 10,000-service list is ~4 MB; grpc-java refuses messages over 4 MiB by default. */
    private static final int MAX_MESSAGE = 256 << 20;

    private final List<ManagedChannel> channels = new ArrayList<>();

    /**
     * Opens {@code count} channels to {@code hostPort}; connections are made on first use.
     *
     * @throws SSLException when the certificate, key or CA cannot be loaded
     */
    TlsChannels(BenchOptions o, String hostPort, int count) throws SSLException {
        SslContext ssl = GrpcSslContexts.forClient().trustManager(o.ca().toFile())
                .keyManager(o.cert().toFile(), o.key().toFile()).build();
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        for (int i = 0; i < count; i++) {
            channels.add(NettyChannelBuilder.forAddress(host, port).sslContext(ssl).directExecutor()
                    .maxInboundMessageSize(MAX_MESSAGE).build());
        }
    }

    /** The channel for watcher {@code i}: watchers are dealt round-robin over the channels. */
    ManagedChannel forWatcher(int i) {
        return channels.get(i % channels.size());
    }

    int size() {
        return channels.size();
    }

    /** Closes every connection, waiting up to five seconds. */
    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels) {
            try {
                c.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
