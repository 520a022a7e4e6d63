package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.etcd.EtcdClients;
import dev.clustermesh.core.etcd.TlsFiles;
import dev.clustermesh.proxy.GoPeer;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.etcd.EtcdProcess;
import dev.clustermesh.testing.mesh.ServiceProcess;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 17's burst against the packaged mesh-proxy with the heap the demo gives it ({@code -Xmx128m}, the
 * smallest anywhere: the k8s overlays set a 1 GiB memory limit and no {@code -Xmx}): 200 watch streams of the
 * Go etcd client on one prefix, 2,000 puts in 4 s straight into etcd. Every watcher must get every event in
 * order, none may end with an error or hang, the proxy must not run out of memory, and afterwards its upstream
 * watch must still be the first one and its reads current. Figures (RSS, side by side with etcd) are in
 * {@code bench/proxy-burst.sh}, not here.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class WatchBurstIT {
    /** The heap {@code meshctl demo} runs mesh-proxy with. */
    static final String DEMO_HEAP = "128m";

    private static Path dir;
    private static EtcdProcess etcd;
    private static ServiceProcess proxy;
    private static Ca ca;
    private static Issued client;
    private static int apiPort;
    private static int management;

    record Burst(String name, int maxValue, int total) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Burst> bursts() {
        return Stream.of(new Burst("values up to 100 KB, 17 MB", 100 * 1024, 17_000_000),
                new Burst("values up to 16 KB, 3.2 MB", 16 * 1024, 3_200_000));
    }

    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    static void start() throws Exception {
        GoPeer.binary();
        dir = Files.createTempDirectory("mesh-proxy-burst");
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        ca = certs.createCa("clustermesh-ca");
        Issued server = certs.issueServer(ca, "mesh-proxy.cluster1", List.of("localhost"), List.of("127.0.0.1"));
        client = certs.issueClient(ca, "local-cluster1");
        etcd = EtcdProcess.start(dir.resolve("etcd"));
        apiPort = FreePorts.next();
        management = FreePorts.next();
        proxy = ServiceProcess.start(Map.ofEntries(Map.entry("mesh.cluster.name", "cluster1"),
                Map.entry("mesh.cluster.id", "1"), Map.entry("mesh.etcd.endpoints", etcd.endpoint()),
                Map.entry("mesh.export.source", "none"),
                Map.entry("quarkus.http.ssl-port", Integer.toString(apiPort)),
                Map.entry("quarkus.management.port", Integer.toString(management)),
                Map.entry("quarkus.tls.mesh-api.key-store.pem.0.cert", server.certPem().toString()),
                Map.entry("quarkus.tls.mesh-api.key-store.pem.0.key", server.keyPem().toString()),
                Map.entry("quarkus.tls.mesh-api.trust-store.pem.certs", ca.certPem().toString())),
                management, dir.resolve("mesh-proxy.log"), DEMO_HEAP);
    }

    @AfterAll
    static void stop() {
        Optional.ofNullable(proxy).ifPresent(ServiceProcess::close);
        Optional.ofNullable(etcd).ifPresent(EtcdProcess::close);
    }

    @ParameterizedTest
    @MethodSource("bursts")
    void everyWatcherGetsEveryEventInOrderWithinTheDemoHeap(Burst b) throws Exception {
        List<String> args = new ArrayList<>(GoPeer.tls("https://127.0.0.1:" + apiPort, ca.certPem(), client));
        args.addAll(List.of("-write-endpoint", etcd.endpoint(), "-watchers", "200", "-writes", "2000", "-seconds", "4",
                "-max-value", Integer.toString(b.maxValue()), "-total", Integer.toString(b.total()),
                "-timeout", "180s"));
        GoPeer.Run run = GoPeer.run(Duration.ofMinutes(8), "burst", args);

        assertThat(run.number("complete")).as(run.output()).isEqualTo(200);
        assertThat(run.number("delivered")).as(run.output()).isEqualTo(run.number("expected"));
        assertThat(run.number("lost")).as(run.output()).isZero();
        assertThat(run.number("hung")).as(run.output()).isZero();
        assertThat(run.number("errors")).as(run.output()).isZero();
        assertThat(run.number("disorder")).as(run.output()).isZero();
        assertThat(proxy.isAlive()).isTrue();
        assertThat(Files.readString(dir.resolve("mesh-proxy.log"))).doesNotContain("OutOfMemoryError");
        assertThat(metric("mesh_proxy_upstream_relists")).isZero();
        readsAreCurrent();
    }

    /**
     * Many agents listing a large prefix together (a proxy restart, a cluster joining) while the mesh changes:
     * 150 lists of 3 MB would hold 450 MB in the transport at once, far beyond the demo heap. The answers wait
     * for room instead (unencoded) and every list gets the whole prefix.
     */
    @Test
    void manyLargeListsAtOnceAllSucceedWithinTheDemoHeap() throws Exception {
        String prefix = "mesh/v1/burst-list/";
        byte[] value = new byte[1024];
        java.util.Arrays.fill(value, (byte) 'x');
        try (Client direct = Client.builder().endpoints(etcd.endpoint()).build()) {
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                puts.add(direct.getKVClient().put(ByteSequence.from(prefix + i, StandardCharsets.UTF_8),
                        ByteSequence.from(value)));
            }
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        }
        List<Client> clients = new ArrayList<>();
        try {
            List<CompletableFuture<io.etcd.jetcd.kv.GetResponse>> lists = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                Client viaProxy = EtcdClients.builder(List.of("https://127.0.0.1:" + apiPort),
                        Optional.of(TlsFiles.mutual(ca.certPem(), client.certPem(), client.keyPem()))).build();
                clients.add(viaProxy);
                Eventually.await(Duration.ofSeconds(20), () -> assertThat(viaProxy.getKVClient()
                        .get(ByteSequence.from(prefix, StandardCharsets.UTF_8), io.etcd.jetcd.options.GetOption.builder()
                                .isPrefix(true).withCountOnly(true).build()).get(5, TimeUnit.SECONDS).getCount())
                        .isEqualTo(3000));
                for (int i = 0; i < 25; i++) {
                    lists.add(viaProxy.getKVClient().get(ByteSequence.from(prefix, StandardCharsets.UTF_8),
                            io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()));
                }
            }
            // Writes elsewhere in the mesh meanwhile: the revision moves, so lists cannot share one encoding.
            try (Client writer = Client.builder().endpoints(etcd.endpoint()).build()) {
                for (int i = 0; i < 300 && !lists.stream().allMatch(CompletableFuture::isDone); i++) {
                    writer.getKVClient().put(ByteSequence.from("mesh/v1/burst-churn/" + i, StandardCharsets.UTF_8),
                            ByteSequence.from(value)).get(10, TimeUnit.SECONDS);
                }
            }
            for (CompletableFuture<io.etcd.jetcd.kv.GetResponse> list : lists) {
                assertThat(list.get(3, TimeUnit.MINUTES).getKvs()).hasSize(3000);
            }
        } finally {
            clients.forEach(Client::close);
        }
        assertThat(proxy.isAlive()).isTrue();
        assertThat(Files.readString(dir.resolve("mesh-proxy.log"))).doesNotContain("OutOfMemoryError");
        assertThat(metric("mesh_proxy_range_answers_waited_total")).as("lists that waited for room").isPositive();
        assertThat(metric("mesh_proxy_range_bytes_in_flight")).as("every answer gave its bytes back").isZero();
        assertThat(metric("mesh_proxy_vertx_hook_attached_total{hook=\"write-fence\"}"))
                .as("answers held their bytes until written out").isGreaterThanOrEqualTo(150);
        assertThat(metric("mesh_proxy_vertx_hook_missed_total{hook=\"write-fence\"}")).isZero();
    }

    private static void readsAreCurrent() throws Exception {
        try (Client direct = Client.builder().endpoints(etcd.endpoint()).build();
                Client viaProxy = EtcdClients.builder(List.of("https://127.0.0.1:" + apiPort),
                        Optional.of(TlsFiles.mutual(ca.certPem(), client.certPem(), client.keyPem()))).build()) {
            ByteSequence prefix = ByteSequence.from("mesh/v1/burst/", StandardCharsets.UTF_8);
            long etcdRevision = direct.getKVClient().get(prefix).get(10, TimeUnit.SECONDS).getHeader().getRevision();
            Eventually.await(Duration.ofSeconds(20), () -> assertThat(viaProxy.getKVClient()
                    .get(prefix, io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withCountOnly(true).build())
                    .get(5, TimeUnit.SECONDS).getHeader().getRevision()).isGreaterThanOrEqualTo(etcdRevision));
        }
    }

    private static double metric(String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + management + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name.contains("{") ? name
                : name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }
}
