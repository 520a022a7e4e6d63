package dev.clustermesh.core.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/** Builds jetcd clients for etcd or mesh-proxy endpoints. */
public final class EtcdClients {
    /** Largest response a client accepts. */
    public static final int MAX_MESSAGE_BYTES = 1 << 30;

    private EtcdClients() {
    }

    /**
     * A client builder for the given endpoints, with TLS when {@code tls} is present.
     *
     * @param endpoints client URLs ({@code http://} or {@code https://})
     * @throws UncheckedIOException when a PEM file cannot be read or parsed, naming the file
     */
    public static ClientBuilder builder(List<String> endpoints, Optional<TlsFiles> tls) {
        ClientBuilder b = Client.builder().endpoints(endpoints.toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(5))
                .keepaliveTime(Duration.ofSeconds(10)).keepaliveTimeout(Duration.ofSeconds(5))
                .retryMaxDuration(Duration.ofSeconds(10))
                // gRPC's 4 MiB default cannot take one list of a cluster with thousands of services (10,000
                // services are ~7 MB); etcd's Go client has no such limit either.
                .maxInboundMessageSize(MAX_MESSAGE_BYTES);
        if (tls.isPresent()) {
            b.sslContext(sslContext(tls.get()));
        }
        return b;
    }

    private static io.netty.handler.ssl.SslContext sslContext(TlsFiles tls) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(tls.ca().toFile());
            if (tls.cert().isPresent()) {
                ssl.keyManager(tls.cert().get().toFile(), tls.key().orElseThrow().toFile());
            }
            return ssl.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new UncheckedIOException(new java.io.IOException(
                    "cannot load TLS files " + tls + ": " + e.getMessage(), e));
        }
    }
}
