package dev.clustermesh.core.etcd;

import dev.clustermesh.core.tls.PemReader;
import dev.clustermesh.core.tls.ReloadingTls;
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
        Optional<ReloadingTls> material;
        try {
            material = tls.map(t -> new ReloadingTls(t.ca(), t.cert(), t.key(), Duration.ofSeconds(1)));
        } catch (PemReader.InvalidPem e) {
            throw new UncheckedIOException(new java.io.IOException("cannot load TLS files " + tls.get() + ": "
                    + e.getMessage(), e));
        }
        return builder(endpoints, material.orElse(null));
    }

    /**
     * A client builder for the given endpoints, with TLS from {@code tls} (null: plain) as it is at each
     * handshake: files changed on disk apply to the client's next connection.
     */
    public static ClientBuilder builder(List<String> endpoints, ReloadingTls tls) {
        ClientBuilder b = Client.builder().endpoints(endpoints.toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(5))
                .keepaliveTime(Duration.ofSeconds(10)).keepaliveTimeout(Duration.ofSeconds(5))
                .retryMaxDuration(Duration.ofSeconds(10))
                // gRPC's 4 MiB default cannot take one list of a cluster with thousands of services (10,000
                // services are ~7 MB); etcd's Go client has no such limit either.
                .maxInboundMessageSize(MAX_MESSAGE_BYTES);
        if (tls != null) {
            b.sslContext(sslContext(tls));
        }
        return b;
    }

    private static io.netty.handler.ssl.SslContext sslContext(ReloadingTls tls) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(tls.trustManager());
            if (tls.current().keyManager().isPresent()) {
                ssl.keyManager(tls.keyManager());
            }
            return ssl.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new UncheckedIOException(new java.io.IOException("cannot set up TLS: " + e.getMessage(), e));
        }
    }
}
