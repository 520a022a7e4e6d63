package dev.clustermesh.proxy.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.etcd.TlsFiles;
import dev.clustermesh.core.tls.ReloadingTls;
import dev.clustermesh.core.tls.TlsProbe;
import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.etcd.Etcdctl;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole CA rollover under load, with real TLS and no restart: the CA bundle (old and new) reaches the proxy and
 * the clients, the proxy's server certificate and the client certificate are re-issued from the new CA, then the
 * old CA is dropped. Meanwhile long-lived clients read and watch, and a new connection (no retry) is made every 50 ms. No
 * request that would have succeeded fails, the watch misses no event, and at the end a certificate of the old CA
 * is refused.
 */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "mesh.access.tls-check-interval", value = "200ms"))
@Timeout(180)
class CertRotationIT {
    private static final String PREFIX = "mesh/v1/services/rotation/";

    @Test
    void aCaRolloverUnderLoadFailsNoRequestAndLosesNoEvent() throws Exception {
        ProxyTestEnvironment env = ProxyTestEnvironment.current();
        CertificateFactory certs = env.certificates();
        // The client's files change as the kubelet changes a mounted Secret: all at once, through a symlink swap.
        ClientMount mount = new ClientMount(env.dir().resolve("rotation-client"));
        TlsFiles client = mount.files();
        mount.write(Files.readString(env.ca().certPem()), Files.readString(env.remote().certPem()),
                Files.readString(env.remote().keyPem()));

        Load load = new Load(env.apiEndpoint(), client);
        load.start();
        try {
            load.awaitProgress();
            // 1. Publish the bundle: old and new CA, to the proxy and to the clients.
            Ca next = certs.createCa("clustermesh-ca-next");
            String bundle = Files.readString(env.ca().certPem()) + Files.readString(next.certPem());
            write(env.ca().certPem(), bundle);
            mount.write(bundle, Files.readString(env.remote().certPem()), Files.readString(env.remote().keyPem()));
            Issued probe = certs.issueClient(next, "remote-cluster2");
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(etcdctl(env, client.ca(), probe).exitCode())
                    .as("a client certificate of the new CA is accepted").isZero());
            load.awaitProgress();

            // 2. New leaves from the new CA: the key lands before the certificate, as a careless tool would do it.
            Issued server = certs.issueServer(next, "mesh-proxy." + ProxyTestEnvironment.CLUSTER,
                    List.of("localhost", "mesh-proxy"), List.of("127.0.0.1"));
            Issued leaf = certs.issueClient(next, "remote-cluster2");
            Path serverKey = Path.of(config("key-store.pem.0.key"));
            Path serverCert = Path.of(config("key-store.pem.0.cert"));
            write(serverKey, Files.readString(server.keyPem()));
            load.awaitProgress();
            write(serverCert, Files.readString(server.certPem()));
            mount.write(bundle, Files.readString(leaf.certPem()), Files.readString(leaf.keyPem()));
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(servedIssuer(env, client))
                    .as("new connections get the new server certificate").contains("clustermesh-ca-next"));
            load.awaitProgress();

            // 3. Drop the old CA everywhere.
            write(env.ca().certPem(), Files.readString(next.certPem()));
            mount.write(Files.readString(next.certPem()), Files.readString(leaf.certPem()),
                    Files.readString(leaf.keyPem()));
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(etcdctl(env, client.ca(), env.remote())
                    .exitCode()).as("a client certificate of the old CA is refused").isNotZero());
            load.awaitProgress();
        } finally {
            load.stop();
        }
        System.out.printf("cert-rotation: reads %d ok %d failed; new connections (no retry) %d ok %d failed; "
                + "watch events %d of %d%n", load.reads.get(), load.readFailures.get(), load.fresh.get(),
                load.freshFailures.size(), load.seen.size(), load.written.get());
        assertThat(load.freshFailures).as("fresh connections that failed").isEmpty();
        assertThat(load.readFailures.get()).as("reads that failed on long-lived connections").isZero();
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < load.written.get(); i++) {
            expected.add(i);
        }
        assertThat(List.copyOf(load.seen)).as("every write, once, in order").isEqualTo(expected);
        assertThatThrownBy(() -> Load.connectOnce(env.apiEndpoint(), TlsFiles.mutual(client.ca(),
                env.remote().certPem(), env.remote().keyPem()))).as("the probe sees a refused certificate")
                .isInstanceOfAny(javax.net.ssl.SSLException.class, java.io.EOFException.class,
                        java.net.SocketException.class);
    }

    private static String servedIssuer(ProxyTestEnvironment env, TlsFiles files) throws Exception {
        ReloadingTls tls = new ReloadingTls(files.ca(), files.cert(), files.key(), Duration.ZERO);
        try (Client c = EtcdClients.builder(List.of(env.apiEndpoint()), tls).build()) {
            c.getKVClient().get(bytes(PREFIX), GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
        }
        return tls.lastPeer().orElseThrow().getIssuerX500Principal().getName();
    }

    private static Command.Result etcdctl(ProxyTestEnvironment env, Path ca, Issued cert) {
        return Etcdctl.tls(env.apiEndpoint(), ca, cert.certPem(), cert.keyPem()).run("get", "--prefix", PREFIX,
                "--keys-only", "--limit", "1");
    }

    private static String config(String key) {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.tls." + ServerCertificates.TLS_NAME + "." + key, String.class);
    }

    /** A directory of client files replaced as a whole, as the kubelet's atomic writer does: a symlink swap. */
    private record ClientMount(Path dir) {
        TlsFiles files() {
            Path data = dir.resolve("..data");
            return TlsFiles.mutual(data.resolve("ca.pem"), data.resolve("client.pem"), data.resolve("client-key.pem"));
        }

        void write(String ca, String cert, String key) throws IOException {
            Path version = Files.createDirectories(dir.resolve("..v" + System.nanoTime()));
            Files.writeString(version.resolve("ca.pem"), ca);
            Files.writeString(version.resolve("client.pem"), cert);
            Files.writeString(version.resolve("client-key.pem"), key);
            Path link = dir.resolve("..data_tmp");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, version.getFileName());
            Files.move(link, dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Replaces {@code file} at once, as Kubernetes updates a mounted Secret. */
    private static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ByteSequence bytes(String s) {
        return ProxyClients.bytes(s);
    }

    /** Reads and a watch on long-lived clients, a new connection every 50 ms, a writer every 20 ms. */
    private static final class Load {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong readFailures = new AtomicLong();
        final AtomicLong fresh = new AtomicLong();
        final List<String> freshFailures = new CopyOnWriteArrayList<>();
        final AtomicLong written = new AtomicLong();
        final ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final String endpoint;
        private final TlsFiles files;
        private final Client reader;
        private final Client watcher;
        private final Client upstream = ProxyClients.upstream();
        private Watch.Watcher watch;

        Load(String endpoint, TlsFiles files) {
            this.endpoint = endpoint;
            this.files = files;
            this.reader = EtcdClients.builder(List.of(endpoint), Optional.of(files)).build();
            this.watcher = EtcdClients.builder(List.of(endpoint), Optional.of(files)).build();
        }

        void start() throws Exception {
            long from = reader.getKVClient().get(bytes(PREFIX)).get(10, TimeUnit.SECONDS).getHeader().getRevision() + 1;
            watch = watcher.getWatchClient().watch(bytes(PREFIX), WatchOption.builder().isPrefix(true)
                    .withRevision(from).build(), r -> r.getEvents().forEach(e -> seen.add(
                            Long.parseLong(e.getKeyValue().getValue().toString()))));
            loop("reader", 0, () -> {
                try {
                    reader.getKVClient().get(bytes(PREFIX), GetOption.builder().isPrefix(true).build())
                            .get(10, TimeUnit.SECONDS);
                    reads.incrementAndGet();
                } catch (Exception e) {
                    readFailures.incrementAndGet();
                }
            });
            loop("fresh", 50, () -> {
                try {
                    connectOnce(endpoint, files);
                    fresh.incrementAndGet();
                } catch (Exception e) {
                    freshFailures.add(e.toString());
                }
            });
            loop("writer", 20, () -> {
                long i = written.get();
                try {
                    upstream.getKVClient().put(bytes(PREFIX + "k" + (i % 50)), bytes(Long.toString(i)))
                            .get(10, TimeUnit.SECONDS);
                    written.incrementAndGet();
                } catch (Exception e) {
                    throw new IllegalStateException("the upstream etcd refused a write", e);
                }
            });
        }

        /** One new connection, no retry, with the files as they are now ({@link TlsProbe}). */
        static void connectOnce(String endpoint, TlsFiles files) throws Exception {
            java.net.URI uri = java.net.URI.create(endpoint);
            TlsProbe.connect(uri.getHost(), uri.getPort(), files.ca(), files.cert().orElseThrow(),
                    files.key().orElseThrow());
        }

        private void loop(String name, long pauseMillis, Runnable step) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    step.run();
                    if (pauseMillis > 0) {
                        // Pacing of the load, not synchronisation: the test waits on progress counters.
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMillis));
                    }
                }
            }, "rotation-" + name);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }

        /** Waits until each part of the load has made progress since the call. */
        void awaitProgress() {
            long r = reads.get();
            long f = fresh.get();
            long w = written.get();
            Eventually.await(Duration.ofSeconds(15), () -> {
                assertThat(reads.get()).as("reads").isGreaterThan(r + 5);
                assertThat(fresh.get()).as("fresh connections").isGreaterThan(f + 2);
                assertThat(seen.size()).as("watch events").isGreaterThan((int) w);
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(15_000);
            }
            long end = written.get();
            Eventually.await(Duration.ofSeconds(10), () -> assertThat(seen.size()).isGreaterThanOrEqualTo((int) end));
            if (watch != null) {
                watch.close();
            }
            reader.close();
            watcher.close();
            upstream.close();
        }
    }
}
