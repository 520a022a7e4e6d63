package dev.clustermesh.proxy;

import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.etcd.TlsFiles;
import dev.clustermesh.testing.etcd.Etcdctl;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

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
