package dev.clustermesh.dns.mesh;

import static dev.clustermesh.testing.mesh.Manifests.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.RemoteClusterOptions;
import dev.clustermesh.testing.mesh.Manifests.Endpoint;
import dev.clustermesh.testing.mesh.Manifests.Port;
import dev.clustermesh.dns.server.Dns;
import dev.clustermesh.dns.server.DnsObserver;
import dev.clustermesh.dns.server.ServerSettings;
import dev.clustermesh.dns.zone.ZoneSettings;
import dev.clustermesh.testing.Eventually;
import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.mesh.LocalCluster;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * mesh-dns of cluster1 fed by two clusters, each a real etcd and a real mesh-proxy process exporting manifests,
 * joined over mTLS like the agent; queried with the real {@code dig} and with dnsjava.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class TwoClusterDnsIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String S = ".default.svc.clusterset.local";
    private static final Port HTTP = new Port("http", 80, "TCP");
    private static final Port PG = new Port("pg", 5432, "TCP");
    private static final Port ECHO = new Port("echo", 7, "UDP");
    /** Withdraw a cluster's names 3 s after it becomes unreachable. */
    private static final RemoteClusterOptions FAST =
            new RemoteClusterOptions(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(1));

    @TempDir
    static Path dir;
    private LocalCluster cluster1;
    private LocalCluster cluster2;
    private Vertx vertx;
    private DnsCore dns;
    private int port;

    @BeforeAll
    @SuppressWarnings("deprecation") // Vertx.nettyEventLoopGroup(): what the application uses too
    void startMesh() {
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("clustermesh-ca");
        cluster1 = LocalCluster.start("cluster1", 1, dir.resolve("cluster1"), ca, certs);
        cluster2 = LocalCluster.start("cluster2", 2, dir.resolve("cluster2"), ca, certs);
        Path clusters = dir.resolve("dns-cluster1");
        cluster1.joinFile("cluster1", clusters);
        cluster2.joinFile("cluster1", clusters);
        port = FreePorts.next();
        DnsSettings settings = new DnsSettings(ZoneSettings.of("clusterset.local", Duration.ofSeconds(5), "cluster1"),
                ServerSettings.loopback(port), clusters, Duration.ofMillis(200), FAST, Duration.ofMillis(50));
        vertx = Vertx.vertx();
        dns = new DnsCore(settings, MeshObserver.NONE);
        dns.start(vertx.nettyEventLoopGroup(), DnsObserver.NONE);
    }

    @AfterAll
    void stopMesh() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {dns, cluster1, cluster2}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // Keep closing the rest.
            }
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void baseline() {
        for (LocalCluster c : List.of(cluster1, cluster2)) {
            if (!c.proxy().isAlive()) {
                c.proxy().restart();
            }
            int n = c.id();
            c.manifest("rebel-base.yaml", service("rebel-base", "10." + (n * 10 + 1) + ".0.10", List.of(HTTP),
                    endpoints(n, 1, 2, null)));
            c.manifest("db.yaml", service("db", "None", List.of(PG), List.of(
                    new Endpoint("10." + (n * 10) + ".2.1", "db-0"), new Endpoint("10." + (n * 10) + ".2.2", null))));
        }
        cluster2.manifest("echo.yaml", service("echo", "10.21.0.30", List.of(ECHO), endpoints(2, 3, 1, null)));
        cluster1.manifest("big.yaml", service("big", "None", List.of(HTTP), endpoints(1, 4, 80, "big")));
        Eventually.await(WAIT, () -> {
            assertThat(dig("cluster2.rebel-base" + S, "A").data()).containsExactly("10.21.0.10");
            assertThat(dig("echo" + S, "A").data()).containsExactly("10.21.0.30");
            assertThat(dig("db" + S, "A").data()).hasSize(4);
            assertThat(dig("big" + S, "A", "+tcp").data()).hasSize(80);
        });
    }

    /** Endpoints 10.(n*10).{subnet}.1..count, hostnames prefix-i when a prefix is given. */
    private static List<Endpoint> endpoints(int n, int subnet, int count, String prefix) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> new Endpoint("10." + (n * 10) + "." + subnet + "." + i,
                prefix == null ? null : prefix + "-" + i)).toList();
    }

    @Test
    void digAnswersEveryRecordKind() {
        assertThat(dig("dns-version.clusterset.local", "TXT").data()).containsExactly("\"1.0.0\"");
        Dig.Result soa = dig("clusterset.local", "SOA");
        assertThat(soa.flags()).contains("qr", "aa");
        assertThat(soa.data().get(0)).startsWith("ns.dns.clusterset.local. hostmaster.clusterset.local. ");
        assertThat(dig("clusterset.local", "NS").data()).containsExactly("ns.dns.clusterset.local.");
        // The local cluster has rebel-base: its own ClusterIP only.
        assertThat(dig("rebel-base" + S, "A").data()).containsExactly("10.11.0.10");
        assertThat(dig("cluster1.rebel-base" + S, "A").data()).containsExactly("10.11.0.10");
        assertThat(dig("_http._tcp.rebel-base" + S, "SRV").data())
                .containsExactly("0 100 80 rebel-base.default.svc.clusterset.local.");
        // Only cluster2 has echo: its ClusterIP; a UDP port gives a _udp SRV name.
        assertThat(dig("echo" + S, "A").data()).containsExactly("10.21.0.30");
        assertThat(dig("_echo._udp.echo" + S, "SRV").data()).containsExactly("0 100 7 echo.default.svc.clusterset.local.");
        // Headless: every endpoint, local first (the others rotate); per-endpoint names by hostname, or dashed IP.
        List<String> db = dig("db" + S, "A").data();
        assertThat(db.subList(0, 2)).containsExactly("10.10.2.1", "10.10.2.2");
        assertThat(db.subList(2, 4)).containsExactlyInAnyOrder("10.20.2.1", "10.20.2.2");
        assertThat(dig("db-0.cluster2.db" + S, "A").data()).containsExactly("10.20.2.1");
        assertThat(dig("10-20-2-2.cluster2.db" + S, "A").data()).containsExactly("10.20.2.2");
        assertThat(dig("_pg._tcp.db" + S, "SRV").data()).containsExactly(
                "0 25 5432 db-0.cluster1.db" + S + ".", "0 25 5432 10-10-2-2.cluster1.db" + S + ".",
                "0 25 5432 db-0.cluster2.db" + S + ".", "0 25 5432 10-20-2-2.cluster2.db" + S + ".");
        Dig.Result nx = dig("nope" + S, "A");
        assertThat(nx.status()).isEqualTo("NXDOMAIN");
        assertThat(nx.authority()).singleElement().asString().contains(" SOA ns.dns.clusterset.local.");
        Dig.Result nodata = dig("rebel-base" + S, "AAAA");
        assertThat(nodata.status()).isEqualTo("NOERROR");
        assertThat(nodata.answers()).isEmpty();
        assertThat(nodata.authority()).singleElement().asString().contains(" SOA ");
        assertThat(dig("kubernetes.default.svc.cluster.local", "A").status()).isEqualTo("REFUSED");
    }

    @Test
    void digGetsTcWithoutTcpAndTheFullAnswerOverTcp() {
        Dig.Result udp = dig("big" + S, "A", "+ignore");
        assertThat(udp.flags()).contains("tc");
        assertThat(udp.answers()).isEmpty();
        Dig.Result retried = dig("big" + S, "A");
        assertThat(retried.output()).contains("Truncated, retrying in TCP mode");
        assertThat(retried.data()).hasSize(80);
        assertThat(dig("big-7.cluster1.big" + S, "A").data()).containsExactly("10.10.4.7");
    }

    @Test
    void theJavaResolverAgrees() {
        for (boolean tcp : new boolean[] {false, true}) {
            assertThat(data(Dns.send(port, "rebel-base" + S, Type.A, tcp))).containsExactly("10.11.0.10");
            assertThat(data(Dns.send(port, "cluster2.rebel-base" + S, Type.A, tcp))).containsExactly("10.21.0.10");
            assertThat(data(Dns.send(port, "_pg._tcp.db" + S, Type.SRV, tcp))).hasSize(4);
            assertThat(data(Dns.send(port, "db-0.cluster1.db" + S, Type.A, tcp))).containsExactly("10.10.2.1");
            assertThat(data(Dns.send(port, "dns-version.clusterset.local", Type.TXT, tcp))).containsExactly("\"1.0.0\"");
            assertThat(data(Dns.send(port, "clusterset.local", Type.NS, tcp))).containsExactly("ns.dns.clusterset.local.");
            Message nx = Dns.send(port, "nope" + S, Type.A, tcp);
            assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(nx.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(Dns.send(port, "example.org", Type.A, tcp).getRcode()).isEqualTo(Rcode.REFUSED);
        }
        assertThat(data(Dns.send(port, "big" + S, Type.A, false))).hasSize(80);
    }

    @Test
    void aRemoteOnlyClustersetIpHasAPtrRecord() {
        Dig.Result ptr = dig("-x", "10.21.0.30");
        assertThat(ptr.flags()).contains("aa");
        assertThat(ptr.data()).containsExactly("echo" + S + ".");
        assertThat(dig("-x", "10.11.0.10").status()).isEqualTo("REFUSED");
    }

    @Test
    void clusterStatusTicksLeaveTheSerialAlone() {
        long serial = soaSerial();
        long version = dns.view().version();
        // The view changes with every cluster status update (heartbeats, sync times); no record does.
        Eventually.await(WAIT, () -> {
            assertThat(dns.view().version()).isGreaterThan(version);
            assertThat(dns.converged()).isTrue();
        });
        assertThat(soaSerial()).isEqualTo(serial);
        cluster2.manifest("echo.yaml", service("echo", "10.21.0.31", List.of(ECHO), endpoints(2, 3, 1, null)));
        Eventually.await(WAIT, () -> assertThat(soaSerial()).isGreaterThan(serial));
    }

    private long soaSerial() {
        return Long.parseLong(dig("clusterset.local", "SOA").data().get(0).split(" ")[2]);
    }

    @Test
    void aServiceScaledToZeroInOneClusterLeavesTheOthersAnswers() {
        cluster2.manifest("rebel-base.yaml", service("rebel-base", "10.21.0.10", List.of(HTTP), List.of()));
        cluster2.manifest("db.yaml", service("db", "None", List.of(PG), List.of()));
        cluster2.manifest("echo.yaml", service("echo", "10.21.0.30", List.of(ECHO), List.of()));
        Eventually.await(WAIT, () -> {
            assertThat(dig("db" + S, "A").data()).containsExactly("10.10.2.1", "10.10.2.2");
            assertThat(dig("db-0.cluster2.db" + S, "A").status()).isEqualTo("NXDOMAIN");
            // echo exists but no cluster has an active backend: NODATA, and cluster2's own name stays.
            Dig.Result echo = dig("echo" + S, "A");
            assertThat(echo.status()).isEqualTo("NOERROR");
            assertThat(echo.answers()).isEmpty();
            assertThat(dig("_echo._udp.echo" + S, "SRV").answers()).isEmpty();
        });
        assertThat(dig("cluster2.echo" + S, "A").data()).containsExactly("10.21.0.30");
        assertThat(dig("rebel-base" + S, "A").data()).containsExactly("10.11.0.10");
        assertThat(dig("cluster2.rebel-base" + S, "A").data()).containsExactly("10.21.0.10");
        assertThat(data(Dns.send(port, "db" + S, Type.A, false))).containsExactly("10.10.2.1", "10.10.2.2");
    }

    @Test
    void aDisconnectedClusterIsWithdrawnAfterItsTtlAndComesBack() {
        cluster2.proxy().kill();
        Eventually.await(WAIT, () -> {
            ClusterStatus s = dns.clusters().get("cluster2");
            assertThat(s.connected()).isFalse();
            assertThat(s.withdrawn()).isTrue();
        });
        Eventually.await(WAIT, () -> {
            assertThat(dig("echo" + S, "A").status()).isEqualTo("NXDOMAIN");
            assertThat(dig("cluster2.rebel-base" + S, "A").status()).isEqualTo("NXDOMAIN");
            assertThat(dig("db" + S, "A").data()).containsExactly("10.10.2.1", "10.10.2.2");
        });
        // The local cluster's names keep answering.
        assertThat(dig("rebel-base" + S, "A").data()).containsExactly("10.11.0.10");
        assertThat(data(Dns.send(port, "db-0.cluster1.db" + S, Type.A, true))).containsExactly("10.10.2.1");

        cluster2.proxy().restart();
        Eventually.await(WAIT, () -> {
            assertThat(dns.clusters().get("cluster2").ready()).isTrue();
            assertThat(dig("echo" + S, "A").data()).containsExactly("10.21.0.30");
            assertThat(dig("db" + S, "A").data()).hasSize(4);
        });
    }

    private Dig.Result dig(String name, String type, String... options) {
        return Dig.query(port, name, type, options);
    }

    private static List<String> data(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }
}
