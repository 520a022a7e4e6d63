package dev.clustermesh.dns.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.clustermesh.dns.server.Dns;
import dev.clustermesh.testing.Eventually;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/** mesh-dns as deployed: DNS on Vert.x's event loops, health and metrics on the management port. */
@QuarkusTest
@QuarkusTestResource(value = DnsTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class DnsApplicationIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String NAME = "rebel-base.default.svc.clusterset.local";

    @ConfigProperty(name = "quarkus.management.test-port")
    int managementPort;

    @Test
    void answersTheJoinedClustersServicesOverUdpAndTcp() {
        Eventually.await(WAIT, () -> {
            for (boolean tcp : new boolean[] {false, true}) {
                Message m = Dns.send(DnsTestEnvironment.dnsPort, NAME, Type.A, tcp);
                assertThat(m.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("10.11.0.10");
            }
        });
    }

    @Test
    void healthIsReadyOnceTheClusterIsSyncedAndLiveWhileTheLoopsRun() {
        Eventually.await(WAIT, () -> given().port(managementPort).get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'clustermesh-dns' }.data.cluster1", equalTo("ready")));
        given().port(managementPort).get("/q/health/live").then().statusCode(200)
                .body(containsString("dns-event-loops"));
    }

    @Test
    void metricsCountQueriesByTypeAndRcodeLatencyNamesAndBadPackets() {
        Eventually.await(WAIT, () -> assertThat(Dns.send(DnsTestEnvironment.dnsPort, NAME, Type.A, false)
                .getSection(Section.ANSWER)).isNotEmpty());
        assertThat(Dns.send(DnsTestEnvironment.dnsPort, "nope.default.svc.clusterset.local", Type.AAAA, true)
                .getRcode()).isEqualTo(Rcode.NXDOMAIN);
        byte[] noQuestion = {0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(Dns.raw(DnsTestEnvironment.dnsPort, noQuestion, Duration.ofSeconds(2))).isNotNull();
        Message signed = Dns.query(NAME, Type.A);
        new TSIG(TSIG.HMAC_SHA256, "mesh-key.", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=").apply(signed, null);
        assertThat(Dns.raw(DnsTestEnvironment.dnsPort, signed.toWire(), Duration.ofSeconds(2))).isNotNull();
        Eventually.await(WAIT, () -> given().port(managementPort).get("/metrics").then().statusCode(200)
                .body(containsString("mesh_dns_queries_total{qtype=\"A\",rcode=\"NOERROR\",transport=\"udp\"}"))
                .body(containsString("mesh_dns_queries_total{qtype=\"AAAA\",rcode=\"NXDOMAIN\",transport=\"tcp\"}"))
                .body(containsString("mesh_dns_queries_total{qtype=\"OTHER\",rcode=\"FORMERR\",transport=\"udp\"}"))
                .body(containsString("mesh_dns_bad_packets_total{reason=\"question_count\"} 1.0"))
                .body(containsString("mesh_dns_queries_total{qtype=\"A\",rcode=\"NOTAUTH\",transport=\"udp\"} 1.0"))
                .body(containsString("mesh_dns_bad_packets_total{reason=\"tsig_key\"} 1.0"))
                .body(containsString("mesh_dns_answer_latency_seconds_bucket"))
                // The apex, dns-version, the nameserver's glue; rebel-base, cluster1.rebel-base, its SRV name.
                .body(containsString("mesh_dns_names 6.0"))
                .body(containsString("mesh_dns_ready_clusters 1.0")));
    }
}
