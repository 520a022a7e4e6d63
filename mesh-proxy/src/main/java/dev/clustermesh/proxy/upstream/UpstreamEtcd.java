package dev.clustermesh.proxy.upstream;

import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.etcd.TlsFiles;
import dev.clustermesh.proxy.config.ProxySettings;
import io.etcd.jetcd.Client;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the process-wide jetcd client for this cluster's etcd. */
final class UpstreamEtcd {

    @Produces
    @Singleton
    Client client(ProxySettings settings) {
        return EtcdClients.builder(settings.etcdEndpoints(),
                settings.etcdTls().map(t -> new TlsFiles(t.ca(), t.cert(), t.key()))).build();
    }

    void close(@Disposes Client client) {
        client.close();
    }
}
