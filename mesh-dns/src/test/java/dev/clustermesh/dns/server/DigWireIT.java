package dev.clustermesh.dns.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.dns.mesh.Dig;
import dev.clustermesh.dns.zone.Zone;
import dev.clustermesh.dns.zone.ZoneCompute;
import dev.clustermesh.dns.zone.ZoneFixtures;
import io.netty.channel.nio.NioEventLoopGroup;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code dig} against a server on the fixture zone: odd names get the right answer with the question
 * dig sent (dig drops an answer whose question differs: "Question section mismatch"), signed queries NOTAUTH,
 * NOTIMP with question and OPT, compressed answers, PTR, glue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DigWireIT {
    private static final String S = ".default.svc.clusterset.local";
    private static final Pattern SIZE = Pattern.compile("MSG SIZE\\s+rcvd: (\\d+)");
    private NioEventLoopGroup group;
    private DnsServer server;

    @BeforeAll
    void start() {
        group = new NioEventLoopGroup(1);
        Zone zone = ZoneCompute.compute(ZoneFixtures.SETTINGS, ZoneFixtures.referenceWithBig(), 1);
        server = DnsServer.start(ServerSettings.loopback(0), group, () -> zone, DnsObserver.NONE);
    }

    @AfterAll
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A name as typed on dig's command line, with dig options, and the status and AA flag expected. */
    record NameCase(String name, String status, boolean aa, String... options) {
        @Override
        public String toString() {
            return name + " " + String.join(" ", options) + " -> " + status;
        }
    }

    static Stream<NameCase> names() {
        return Stream.of(
                new NameCase("rebel-base\\.default.svc.clusterset.local", "NXDOMAIN", true),
                new NameCase("\uff52ebel-base" + S, "NXDOMAIN", true, "+noidnin"),
                new NameCase("rebel-base\u3002default.svc.clusterset.local", "NXDOMAIN", true, "+noidnin"),
                new NameCase("rebel-base.default.svc.clusterset\\.local", "REFUSED", false),
                new NameCase("\\000\\255.clusterset.local", "NXDOMAIN", true),
                new NameCase("ReBeL-BaSe.DEFAULT.svc.clusterset.local", "NOERROR", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void oddNamesGetTheirAnswerAndDigAcceptsIt(NameCase c) {
        Dig.Result r = dig(c.name(), "A", c.options());
        assertThat(r.status()).isEqualTo(c.status());
        assertThat(r.flags().contains("aa")).isEqualTo(c.aa());
        assertThat(r.output()).doesNotContain("mismatch").contains(";; QUESTION SECTION:");
    }

    @Test
    void aSignedQueryIsRefusedWithBadkey() {
        Dig.Result r = dig("rebel-base" + S, "A", "-y", "hmac-sha256:mesh-key:c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
        assertThat(r.status()).isEqualTo("NOTAUTH");
        assertThat(r.answers()).isEmpty();
        assertThat(r.output()).contains("BADKEY");
    }

    @Test
    void notimpKeepsTheQuestionAndOpt() {
        Dig.Result r = dig("rebel-base" + S, "SOA", "+opcode=notify");
        assertThat(r.status()).isEqualTo("NOTIMP");
        assertThat(r.output()).contains(";; OPT PSEUDOSECTION:").contains(";; QUESTION SECTION:")
                .contains(";rebel-base" + S + ".");
    }

    /** dig options, a headless service, and whether its A records fit without TC. */
    record Fit(String service, boolean fits, int limit, String... options) {
        @Override
        public String toString() {
            return service + " " + String.join(" ", options);
        }
    }

    static Stream<Fit> fits() {
        return Stream.of(new Fit("headless28", true, 512, "+noedns"), new Fit("headless29", false, 512, "+noedns"),
                new Fit("headless72", true, 1232, "+bufsize=1232"), new Fit("headless73", false, 1232, "+bufsize=1232"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fits")
    void headlessAnswersFitAsManyEndpointsAsNsdAndKnot(Fit f) {
        List<String> options = new java.util.ArrayList<>(List.of(f.options()));
        options.add("+ignore");
        Dig.Result r = dig(f.service() + S, "A", options.toArray(String[]::new));
        Matcher size = SIZE.matcher(r.output());
        assertThat(size.find()).isTrue();
        assertThat(Integer.parseInt(size.group(1))).isLessThanOrEqualTo(f.limit());
        assertThat(r.flags().contains("tc")).isEqualTo(!f.fits());
        int n = Integer.parseInt(f.service().substring("headless".length()));
        assertThat(r.answers()).hasSize(f.fits() ? n : 0);
    }

    @Test
    void reverseLookupsOfRemoteClustersetIps() {
        assertThat(dig("-x", "10.21.0.20").data()).containsExactly("remote-only" + S + ".");
        assertThat(dig("-x", "10.11.0.10").status()).isEqualTo("REFUSED");
    }

    @Test
    void theNameserverComesWithItsAddress() {
        Dig.Result r = dig("clusterset.local", "NS");
        assertThat(r.data()).containsExactly("ns.dns.clusterset.local.");
        assertThat(r.additional()).contains("ns.dns.clusterset.local. 5 IN A 127.0.0.1");
    }

    private Dig.Result dig(String name, String type, String... options) {
        return Dig.query(server.port(), name, type, options);
    }
}
