package dev.clustermesh.dns.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.dns.zone.Zone;
import dev.clustermesh.dns.zone.ZoneCompute;
import dev.clustermesh.dns.zone.ZoneFixtures;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The server on real loopback sockets, queried with dnsjava and raw packets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class DnsServerTest {
    private static final String S = ".default.svc.clusterset.local";
    private static final Duration WAIT = Duration.ofSeconds(2);
    private final List<BadPacket> bad = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private NioEventLoopGroup group;
    private DnsServer server;
    private int port;

    @BeforeAll
    void start() {
        group = new NioEventLoopGroup(2);
        Zone zone = ZoneCompute.compute(ZoneFixtures.SETTINGS, ZoneFixtures.referenceWithBig(), 1);
        server = DnsServer.start(ServerSettings.loopback(0), group, () -> zone, new DnsObserver() {
            @Override
            public void badPacket(BadPacket reason) {
                bad.add(reason);
            }

            @Override
            public void internalError(Throwable t) {
                errors.add(t);
            }
        });
        port = server.port();
    }

    @AfterAll
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        assertThat(errors).isEmpty();
    }

    @Test
    void answersOverUdpAndTcpAuthoritatively() {
        for (boolean tcp : new boolean[] {false, true}) {
            Message m = Dns.send(port, "rebel-base" + S, Type.A, tcp);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(m.getHeader().getFlag(Flags.RD)).isTrue();
            assertThat(m.getHeader().getFlag(Flags.RA)).isFalse();
            assertThat(rdata(m, Section.ANSWER)).containsExactly("10.11.0.10");
            assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(5);
        }
    }

    @Test
    void theAnswerEchoesTheQueryNameAsSpelled() {
        Message m = Dns.send(port, "Rebel-BASE.default.SVC.clusterset.local", Type.A, false);
        assertThat(m.getQuestion().getName().toString()).isEqualTo("Rebel-BASE.default.SVC.clusterset.local.");
        assertThat(m.getSection(Section.ANSWER).get(0).getName().toString())
                .isEqualTo("Rebel-BASE.default.SVC.clusterset.local.");
    }

    @Test
    void negativeAnswersCarryTheSoa() {
        Message nx = Dns.send(port, "nope" + S, Type.A, false);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
        Message nodata = Dns.send(port, "rebel-base" + S, Type.AAAA, true);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        assertThat(nodata.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);
        assertThat(nodata.getSection(Section.AUTHORITY).get(0).getTTL()).isEqualTo(5);
    }

    @Test
    void outsideTheZoneIsRefused() {
        Message m = Dns.send(port, "example.com", Type.A, false);
        assertThat(m.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
    }

    @Test
    void srvAnswersBringTheTargetsAddresses() {
        Message m = Dns.send(port, "_pg._tcp.db" + S, Type.SRV, false);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("0 33 15432 db-0.cluster1.db" + S + ".",
                "0 33 15432 10-10-2-2.cluster1.db" + S + ".", "0 33 15432 db-0.cluster2.db" + S + ".");
        assertThat(rdata(m, Section.ADDITIONAL)).containsExactly("10.10.2.1", "10.10.2.2", "10.20.2.1");
    }

    @Test
    void remoteClustersAreRotatedPerQuery() {
        Set<String> firsts = new TreeSet<>();
        for (int i = 0; i < 6; i++) {
            firsts.add(rdata(Dns.send(port, "remote-only" + S, Type.A, false), Section.ANSWER).get(0));
        }
        assertThat(firsts).containsExactly("10.21.0.20", "10.31.0.20");
    }

    @Test
    void ednsIsEchoedWithOurPayloadSize() {
        Message m = Dns.send(port, Dns.query("rebel-base" + S, Type.A), false, r -> r.setEDNS(0, 4096, 0, List.of()));
        OPTRecord opt = m.getOPT();
        assertThat(opt).isNotNull();
        assertThat(opt.getPayloadSize()).isEqualTo(ServerSettings.DEFAULT_UDP_PAYLOAD);
        assertThat(opt.getVersion()).isZero();
        assertThat(Dns.send(port, "rebel-base" + S, Type.A, false).getOPT()).isNull();
    }

    @Test
    void anUnknownEdnsVersionGetsBadvers() {
        Message q = Dns.query("rebel-base" + S, Type.A);
        q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
        Message m = Dns.send(port, q, false, r -> { });
        assertThat(m.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aTooBigUdpAnswerIsTruncatedAndTcpGivesItWhole() {
        Message udp = Dns.send(port, Dns.query("big" + S, Type.A), false, r -> r.setIgnoreTruncation(true));
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(udp.getSection(Section.ANSWER)).isEmpty();
        // With EDNS the client may take 1232 octets: 100 A records of 16 octets (compressed) still do not fit.
        Message edns = Dns.send(port, Dns.query("big" + S, Type.A), false, r -> {
            r.setIgnoreTruncation(true);
            r.setEDNS(0, 4096, 0, List.of());
        });
        assertThat(edns.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(edns.getOPT()).isNotNull();
        Message tcp = Dns.send(port, "big" + S, Type.A, true);
        assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(tcp.getSection(Section.ANSWER)).hasSize(100);
        // dnsjava's default: a truncated UDP answer is retried over TCP.
        assertThat(Dns.send(port, "big" + S, Type.A, false).getSection(Section.ANSWER)).hasSize(100);
    }

    @Test
    void ednsLetsASmallerAnswerThroughThatPlainUdpTruncates() {
        // 40 A records: more than 512 octets, less than 1232.
        Message plain = Dns.send(port, Dns.query("mid" + S, Type.A), false, r -> r.setIgnoreTruncation(true));
        assertThat(plain.getHeader().getFlag(Flags.TC)).isTrue();
        Message edns = Dns.send(port, Dns.query("mid" + S, Type.A), false, r -> {
            r.setIgnoreTruncation(true);
            r.setEDNS(0, 1232, 0, List.of());
        });
        assertThat(edns.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(edns.getSection(Section.ANSWER)).hasSize(40);
    }

    @Test
    void malformedQueriesGetFormerrWithTheirId() throws Exception {
        byte[] loop = Packets.query(0x1234).bytes(0xc0, 12).u16(1).u16(1).build();
        Message m = new Message(Dns.raw(port, loop, WAIT));
        assertThat(m.getHeader().getID()).isEqualTo(0x1234);
        assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        byte[] noQuestion = Packets.header(0x4321, 0, 0, 0, 0, 0).build();
        assertThat(new Message(Dns.raw(port, noQuestion, WAIT)).getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(bad).contains(BadPacket.BAD_QUESTION, BadPacket.QUESTION_COUNT);
    }

    @Test
    void otherOpcodesGetNotimp() throws Exception {
        byte[] notify = Packets.header(77, 4 << 11, 0, 0, 0, 0).build();
        Message m = new Message(Dns.raw(port, notify, WAIT));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOTIMP);
        assertThat(m.getHeader().getOpcode()).isEqualTo(4);
    }

    @Test
    void shortPacketsAndResponsesAreDropped() {
        assertThat(Dns.raw(port, new byte[5], Duration.ofMillis(300))).isNull();
        byte[] response = Packets.header(1, 0x8400, 1, 0, 0, 0).question("rebel-base" + S, 1).build();
        assertThat(Dns.raw(port, response, Duration.ofMillis(300))).isNull();
        // ...and the server is still there.
        assertThat(Dns.send(port, "dns-version.clusterset.local", Type.TXT, false).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void tcpAnswersPipelinedQueriesInOrder() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            byte[] q1 = Dns.query("rebel-base" + S, Type.A).toWire();
            byte[] q2 = Dns.query("dns-version.clusterset.local", Type.TXT).toWire();
            byte[] both = new byte[q1.length + q2.length + 4];
            both[0] = (byte) (q1.length >> 8);
            both[1] = (byte) q1.length;
            System.arraycopy(q1, 0, both, 2, q1.length);
            both[q1.length + 2] = (byte) (q2.length >> 8);
            both[q1.length + 3] = (byte) q2.length;
            System.arraycopy(q2, 0, both, q1.length + 4, q2.length);
            out.write(both);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            Message a1 = new Message(in.readNBytes(in.readUnsignedShort()));
            Message a2 = new Message(in.readNBytes(in.readUnsignedShort()));
            assertThat(rdata(a1, Section.ANSWER)).containsExactly("10.11.0.10");
            assertThat(rdata(a2, Section.ANSWER)).containsExactly("\"1.0.0\"");
        }
    }

    @Test
    void severalUdpSocketsShareThePort() {
        NioEventLoopGroup two = new NioEventLoopGroup(2);
        Zone zone = ZoneCompute.compute(ZoneFixtures.SETTINGS, ZoneFixtures.reference(), 1);
        ServerSettings s = new ServerSettings(InetAddress.getLoopbackAddress(), 0, 2, 1232, Duration.ofSeconds(5), 8);
        try (DnsServer reuse = DnsServer.start(s, two, () -> zone, DnsObserver.NONE)) {
            for (int i = 0; i < 20; i++) {
                assertThat(rdata(Dns.send(reuse.port(), "rebel-base" + S, Type.A, i % 5 == 0), Section.ANSWER))
                        .containsExactly("10.11.0.10");
            }
            assertThat(reuse.responsive(Duration.ofSeconds(1))).isTrue();
        } finally {
            two.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static List<String> rdata(Message m, int section) {
        return m.getSection(section).stream().map(Record::rdataToString).toList();
    }
}
