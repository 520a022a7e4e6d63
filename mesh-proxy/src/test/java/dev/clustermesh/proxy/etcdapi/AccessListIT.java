package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.clustermesh.proxy.ProxyClients;
import dev.clustermesh.proxy.ProxyTestEnvironment;
import dev.clustermesh.proxy.access.Fingerprint;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The access list with real TLS: a cluster taken off the list is refused at its next request and its open
 * watches end with PERMISSION_DENIED within 5 s, while the clusters still on it keep reading and watching; pins
 * keep a re-issued certificate of a cluster out; a broken file keeps the list in force.
 */
@QuarkusTest
@QuarkusTestResource(value = ProxyTestEnvironment.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = ProxyTestEnvironment.ACCESS_LIST, value = AccessListIT.BOTH))
@Timeout(120)
class AccessListIT {
    static final String BOTH = "clusters:\n- name: cluster2\n- name: cluster3\n";
    private static final String PREFIX = "mesh/v1/services/";

    @AfterEach
    void restore() throws IOException {
        writeList(BOTH);
        Eventually.await(Duration.ofSeconds(5), () -> assertThat(
                ProxyClients.etcdctl(env().remote()).run("get", "--prefix", PREFIX).exitCode()).isZero());
    }

    @Test
    void aClusterOffTheListIsRefusedNamedAndCounted() throws Exception {
        Issued stranger = env().certificates().issueClient(env().ca(), "remote-cluster4");
        Command.Result r = ProxyClients.etcdctl(stranger).run("get", "--prefix", PREFIX);
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("permission denied");
        assertThat(metrics()).containsPattern("mesh_proxy_refused_clients_total\\{[^}]*identity=\"remote-cluster4\""
                + "[^}]*reason=\"not-on-access-list\"[^}]*} [1-9]");
        Command.Result ok = ProxyClients.etcdctl(env().remote()).run("get", "--prefix", PREFIX);
        assertThat(ok.exitCode()).as(ok.output()).isZero();
    }

    @Test
    void removingAClusterEndsItsWatchesWithinFiveSecondsWhileTheOthersKeepWorking() throws Exception {
        Issued three = env().certificates().issueClient(env().ca(), "remote-cluster3");
        try (Watcher removed = new Watcher(env().remote()); Watcher kept = new Watcher(three);
                Watcher local = new Watcher(env().local())) {
            put(PREFIX + "ns/a", "1");
            removed.awaitEvent();
            kept.awaitEvent();
            local.awaitEvent();

            long start = System.nanoTime();
            writeList("clusters:\n- name: cluster3\n");
            Status ended = removed.ended.get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("access-list: watch of a removed cluster ended after " + ms + " ms");
            assertThat(ended.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(ended.getDescription()).isEqualTo(ApiErrors.PERMISSION_DENIED);
            assertThat(removed.reason).contains("remote-cluster2", "not on this cluster's access list");

            Command.Result refused = ProxyClients.etcdctl(env().remote()).run("get", "--prefix", PREFIX);
            assertThat(refused.output()).contains("permission denied");

            put(PREFIX + "ns/b", "2");
            kept.awaitEvent();
            local.awaitEvent();
            assertThat(kept.ended).isNotDone();
            assertThat(ProxyClients.etcdctl(three).run("get", "--prefix", PREFIX).output()).contains(PREFIX + "ns/b");
        }
    }

    @Test
    void pinsKeepAReissuedCertificateOut() throws Exception {
        Issued pinned = env().certificates().issueClient(env().ca(), "remote-cluster3");
        Issued reissued = env().certificates().issueClient(env().ca(), "remote-cluster3");
        Fingerprint fp = Fingerprint.of(pinned.cert());
        writeList("clusters:\n- name: cluster3\n  serials: [\"" + fp.serial().toUpperCase() + "\"]\n");
        Eventually.await(Duration.ofSeconds(5), () -> assertThat(
                ProxyClients.etcdctl(reissued).run("get", "--prefix", PREFIX).output()).contains("permission denied"));
        assertThat(ProxyClients.etcdctl(pinned).run("get", "--prefix", PREFIX).exitCode()).isZero();
        assertThat(metrics()).containsPattern("identity=\"remote-cluster3\"[^}]*reason=\"pin-mismatch\"");

        writeList("clusters:\n- name: cluster3\n  spki-sha256: [\"" + Fingerprint.of(reissued.cert()).spkiSha256()
                + "\"]\n");
        Eventually.await(Duration.ofSeconds(5), () -> assertThat(
                ProxyClients.etcdctl(reissued).run("get", "--prefix", PREFIX).exitCode()).isZero());
        assertThat(ProxyClients.etcdctl(pinned).run("get", "--prefix", PREFIX).output()).contains("permission denied");
    }

    @Test
    void aBrokenFileKeepsTheListInForceAndIsCounted() throws Exception {
        writeList("clusters:\n- name: Not_A_Cluster\n  colour: red\n");
        Eventually.await(Duration.ofSeconds(5), () -> assertThat(metrics()).contains("mesh_proxy_access_list_valid 0.0"));
        assertThat(metrics()).containsPattern("mesh_proxy_access_list_invalid_total [1-9]");
        assertThat(ProxyClients.etcdctl(env().remote()).run("get", "--prefix", PREFIX).exitCode()).isZero();
        writeList(BOTH);
        Eventually.await(Duration.ofSeconds(5), () -> assertThat(metrics()).contains("mesh_proxy_access_list_valid 1.0"));
    }

    @Test
    void aMissingFileLetsNoOtherClusterInButTheLocalIdentity() throws Exception {
        Files.delete(env().accessFile());
        Eventually.await(Duration.ofSeconds(5), () -> assertThat(
                ProxyClients.etcdctl(env().remote()).run("get", "--prefix", PREFIX).output()).contains("permission denied"));
        assertThat(ProxyClients.etcdctl(env().local()).run("get", "--prefix", PREFIX).exitCode()).isZero();
    }

    private static void writeList(String yaml) throws IOException {
        // As Kubernetes updates a mounted ConfigMap: the new content appears at once, never half-written.
        java.nio.file.Path tmp = env().accessFile().resolveSibling("access.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, env().accessFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void put(String key, String value) throws Exception {
        try (io.etcd.jetcd.Client etcd = ProxyClients.upstream()) {
            etcd.getKVClient().put(ProxyClients.bytes(key), ProxyClients.bytes(value)).get(10, TimeUnit.SECONDS);
        }
    }

    static String metrics() throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + env().managementPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static ProxyTestEnvironment env() {
        return ProxyTestEnvironment.current();
    }

    /** One raw Watch stream on the services prefix, as an agent of the certificate's cluster would hold. */
    private static final class Watcher implements AutoCloseable {
        final CompletableFuture<Status> ended = new CompletableFuture<>();
        final BlockingQueue<WatchResponse> events = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> created = new CompletableFuture<>();
        volatile String reason = "";
        private final ManagedChannel channel;

        Watcher(Issued cert) throws Exception {
            channel = ProxyClients.channel(cert, 1 << 20);
            StreamObserver<WatchRequest> in = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    if (r.getCreated()) {
                        created.complete(null);
                    }
                    if (r.getEventsCount() > 0) {
                        events.add(r);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    io.grpc.Metadata trailers = Status.trailersFromThrowable(t);
                    if (trailers != null && trailers.get(ApiErrors.REASON) != null) {
                        reason = trailers.get(ApiErrors.REASON);
                    }
                    ended.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    ended.complete(Status.OK);
                }
            });
            ByteString key = ByteString.copyFromUtf8(PREFIX);
            in.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)
                    .setRangeEnd(ByteString.copyFromUtf8("mesh/v1/services0"))).build());
            created.get(10, TimeUnit.SECONDS);
        }

        void awaitEvent() throws InterruptedException {
            assertThat(events.poll(10, TimeUnit.SECONDS)).as("an event within 10 s").isNotNull();
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }
}
