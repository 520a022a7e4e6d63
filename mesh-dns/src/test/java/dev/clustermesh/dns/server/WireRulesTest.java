package dev.clustermesh.dns.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.dns.zone.Zone;
import dev.clustermesh.dns.zone.ZoneCompute;
import dev.clustermesh.dns.zone.ZoneFixtures;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * The wire rules on a real server over loopback UDP, checked with dnsjava's parser: names as octets,
 * TSIG refused with BADKEY, question and OPT kept in error answers, strict compression pointers and EDNS
 * options, compressed answers, PTR for remote clusterset IPs, glue for the in-zone nameserver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class WireRulesTest {
    private static final String S = ".default.svc.clusterset.local";
    private static final String NAME = "rebel-base" + S;
    private static final Duration WAIT = Duration.ofSeconds(2);
    private final List<BadPacket> bad = new CopyOnWriteArrayList<>();
    private NioEventLoopGroup group;
    private DnsServer server;
    private int port;

    @BeforeAll
    void start() {
        group = new NioEventLoopGroup(1);
        Zone zone = ZoneCompute.compute(ZoneFixtures.SETTINGS, ZoneFixtures.referenceWithBig(), 1);
        server = DnsServer.start(ServerSettings.loopback(0), group, () -> zone, new DnsObserver() {
            @Override
            public void badPacket(BadPacket reason) {
                bad.add(reason);
            }
        });
        port = server.port();
    }

    @AfterAll
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A name as dnsjava's presentation form (escapes allowed), the response code and the AA flag expected. */
    record NameCase(String name, int rcode, boolean aa) {
        @Override
        public String toString() {
            return name + " -> " + Rcode.string(rcode);
        }
    }

    static Stream<NameCase> names() {
        return Stream.of(
                new NameCase("rebel-base\\.default.svc.clusterset.local.", Rcode.NXDOMAIN, true),
                new NameCase("\\239\\188\\178ebel-base" + S + ".", Rcode.NXDOMAIN, true),
                new NameCase("rebel-base\\227\\128\\130default.svc.clusterset.local.", Rcode.NXDOMAIN, true),
                new NameCase("rebel-base.default.svc.clusterset\\.local.", Rcode.REFUSED, false),
                new NameCase("\\000\\255.clusterset.local.", Rcode.NXDOMAIN, true),
                new NameCase("ReBeL-BaSe.DEFAULT.svc.clusterset.local.", Rcode.NOERROR, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void namesAreComparedAsOctetsAndTheQuestionComesBackAsSent(NameCase c) throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(c.name()), Type.A, 1));
        byte[] wire = q.toWire();
        byte[] response = Dns.raw(port, wire, WAIT);
        Message m = new Message(response);
        assertThat(m.getRcode()).isEqualTo(c.rcode());
        assertThat(m.getHeader().getFlag(Flags.AA)).isEqualTo(c.aa());
        assertThat(Arrays.copyOfRange(response, 12, wire.length)).isEqualTo(Arrays.copyOfRange(wire, 12, wire.length));
    }

    @Test
    void aSignedQueryGetsNotauthWithAnUnsignedBadkeyTsig() throws Exception {
        Message q = Dns.query(NAME, Type.A);
        new TSIG(TSIG.HMAC_SHA256, "mesh-key.", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=").apply(q, null);
        Message m = new Message(Dns.raw(port, q.toWire(), WAIT));
        assertThat(m.getHeader().getRcode()).isEqualTo(Rcode.NOTAUTH);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        TSIGRecord tsig = m.getTSIG();
        assertThat(tsig).isNotNull();
        assertThat(tsig.getError()).isEqualTo(Rcode.BADKEY);
        assertThat(tsig.getSignature()).isEmpty();
        assertThat(tsig.getName().toString()).isEqualTo("mesh-key.");
        assertThat(tsig.getOriginalID()).isEqualTo(q.getHeader().getID());
        assertThat(bad).contains(BadPacket.TSIG_KEY);
    }

    @Test
    void formerrAndNotimpKeepTheQuestionAndOpt() throws Exception {
        byte[] notify = Packets.header(41, 4 << 11, 1, 0, 0, 1).question(NAME, Type.SOA).opt(1232, 0).build();
        Message n = new Message(Dns.raw(port, notify, WAIT));
        assertThat(n.getRcode()).isEqualTo(Rcode.NOTIMP);
        assertThat(n.getHeader().getOpcode()).isEqualTo(Opcode.NOTIFY);
        assertThat(n.getQuestion().getName().toString()).isEqualTo(NAME + ".");
        assertThat(n.getOPT()).isNotNull();
        byte[] trailing = Packets.header(42, 0, 1, 0, 0, 1).question(NAME, Type.A).opt(1232, 0).bytes(7).build();
        Message f = new Message(Dns.raw(port, trailing, WAIT));
        assertThat(f.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(f.getQuestion().getName().toString()).isEqualTo(NAME + ".");
        assertThat(f.getOPT()).isNotNull();
    }

    @Test
    void badPointersAndOverlongEdnsOptionsGetFormerr() throws Exception {
        int record = 12 + NAME.length() + 2 + 4;
        byte[] forward = Packets.header(51, 0, 1, 0, 0, 1).question(NAME, 1).bytes(0xc0, record + 2, 0).u16(1)
                .u16(1).u32(0).u16(0).build();
        byte[] header = Packets.header(52, 0, 1, 0, 0, 1).question(NAME, 1).bytes(0xc0, 2).u16(1).u16(1).u32(0)
                .u16(0).build();
        byte[] option = Packets.header(53, 0, 1, 0, 0, 1).question(NAME, 1).bytes(0).u16(41).u16(1232).u32(0)
                .u16(4).u16(10).u16(8).build();
        for (byte[] p : List.of(forward, header, option)) {
            Message m = new Message(Dns.raw(port, p, WAIT));
            assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
            assertThat(m.getOPT()).isNull();
        }
        assertThat(bad).contains(BadPacket.BAD_RECORD, BadPacket.BAD_OPT);
    }

    /** A headless service's A records, asked with dnsjava, over UDP: how many endpoints fit 512 and 1232. */
    record Fit(String service, int payload, boolean fits) {
    }

    static Stream<Fit> fits() {
        return Stream.of(new Fit("headless28", 0, true), new Fit("headless29", 0, false),
                new Fit("headless72", 1232, true), new Fit("headless73", 1232, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fits")
    void compressedAnswersFitAsManyEndpointsAsNsdAndKnot(Fit f) throws Exception {
        Message q = Dns.query(f.service() + S, Type.A);
        if (f.payload() > 0) {
            q.addRecord(new org.xbill.DNS.OPTRecord(f.payload(), 0, 0), Section.ADDITIONAL);
        }
        byte[] response = Dns.raw(port, q.toWire(), WAIT);
        Message m = new Message(response);
        assertThat(response.length).isLessThanOrEqualTo(f.payload() > 0 ? f.payload() : 512);
        assertThat(m.getHeader().getFlag(Flags.TC)).isEqualTo(!f.fits());
        int n = Integer.parseInt(f.service().substring("headless".length()));
        assertThat(m.getSection(Section.ANSWER)).hasSize(f.fits() ? n : 0);
        if (f.fits()) {
            // Header, question, then 16 octets per A record: every owner is a pointer to the question.
            int question = f.service().length() + S.length() + 2 + 4;
            assertThat(response.length).isEqualTo(12 + question + 16 * n + (f.payload() > 0 ? 11 : 0));
        }
    }

    @Test
    void remoteClustersetIpsHavePtrRecordsAndLocalOnesDoNot() throws Exception {
        Message remote = Dns.send(port, ReverseMap.fromAddress("10.21.0.20").toString(), Type.PTR, false);
        assertThat(remote.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(remote.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(DnsServerTest.rdata(remote, Section.ANSWER)).containsExactly("remote-only" + S + ".");
        Message local = Dns.send(port, ReverseMap.fromAddress("10.11.0.10").toString(), Type.PTR, false);
        assertThat(local.getRcode()).isEqualTo(Rcode.REFUSED);
        Message noBackend = Dns.send(port, ReverseMap.fromAddress("10.41.0.20").toString(), Type.PTR, false);
        assertThat(noBackend.getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void theInZoneNameserverHasGlue() throws Exception {
        Message m = Dns.send(port, "clusterset.local", Type.NS, false);
        assertThat(DnsServerTest.rdata(m, Section.ANSWER)).containsExactly("ns.dns.clusterset.local.");
        assertThat(m.getSection(Section.ADDITIONAL)).singleElement().satisfies(r -> {
            assertThat(r.getName().toString()).isEqualTo("ns.dns.clusterset.local.");
            assertThat(r.rdataToString()).isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
        });
        Message a = Dns.send(port, "ns.dns.clusterset.local", Type.A, false);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(a.getSection(Section.ANSWER)).hasSize(1);
    }
}
