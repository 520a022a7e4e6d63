package dev.clustermesh.proxy;

import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.etcd.TlsFiles;
import dev.clustermesh.testing.etcd.Etcdctl;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/** Clients of the proxy under test and of its upstream etcd, as a user would make them. */
public final class ProxyClients {
    private ProxyClients() {
    }

    /** jetcd through the proxy with {@code cert}'s identity. */
    public static Client proxy(Issued cert) {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        return EtcdClients.builder(List.of(env.apiEndpoint()),
                Optional.of(TlsFiles.mutual(env.ca().certPem(), cert.certPem(), cert.keyPem())))
                .retryMaxDuration(java.time.Duration.ofSeconds(2)).build();
    }

    /**
     * A raw grpc-java channel to the proxy with {@code cert}'s identity and a fixed HTTP/2 flow-control
     * window of {@code window} bytes (no automatic window growth), for tests below jetcd's level.
     */
    public static ManagedChannel channel(Issued cert, int window) throws SSLException {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        SslContext ssl = GrpcSslContexts.forClient().trustManager(env.ca().certPem().toFile())
                .keyManager(cert.certPem().toFile(), cert.keyPem().toFile()).build();
        return NettyChannelBuilder.forAddress("127.0.0.1", env.apiPort()).sslContext(ssl)
                .initialFlowControlWindow(window).build();
    }

    /** jetcd straight to the upstream etcd, plain. */
    public static Client upstream() {
        return Client.builder().endpoints(ProxyTestEnvironment.current().etcd().endpoint()).build();
    }

    /** The real etcdctl through the proxy with {@code cert}'s identity. */
    public static Etcdctl etcdctl(Issued cert) {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        return Etcdctl.tls(env.apiEndpoint(), env.ca().certPem(), cert.certPem(), cert.keyPem());
    }

    public static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
