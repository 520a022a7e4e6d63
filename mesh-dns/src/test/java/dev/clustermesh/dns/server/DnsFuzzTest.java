package dev.clustermesh.dns.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.dns.zone.Zone;
import dev.clustermesh.dns.zone.ZoneCompute;
import dev.clustermesh.dns.zone.ZoneFixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * 100,000 random and mutated packets through the handlers in process, 100,000 more at a running server over
 * UDP plus garbage over TCP; then the server must still answer correctly. Seeded: a failure names its seed.
 */
@Timeout(120)
class DnsFuzzTest {
    private static final int PACKETS = 100_000;
    private static final long SEED = Long.getLong("fuzz.seed", 20261124L);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53);
    private final Zone zone = ZoneCompute.compute(ZoneFixtures.SETTINGS, ZoneFixtures.referenceWithBig(), 1);
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final LongAdder bad = new LongAdder();
    private final DnsObserver observer = new DnsObserver() {
        @Override
        public void badPacket(BadPacket reason) {
            bad.increment();
        }

        @Override
        public void internalError(Throwable t) {
            errors.add(t);
        }
    };

    @Test
    void theParserAndHandlersSurviveEveryPacketAndAnswerWellFormed() throws Exception {
        QueryProcessor processor = new QueryProcessor(() -> zone, observer, ServerSettings.DEFAULT_UDP_PAYLOAD);
        EmbeddedChannel udp = new EmbeddedChannel(new UdpHandler(processor, observer));
        Mutator mutator = new Mutator(SEED);
        int answered = 0;
        for (int i = 0; i < PACKETS; i++) {
            byte[] packet = mutator.next();
            udp.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(packet), SERVER, CLIENT));
            DatagramPacket out = udp.readOutbound();
            if (out != null) {
                answered++;
                checkResponse(packet, ByteBufUtil.getBytes(out.content()), i);
                out.release();
            }
        }
        assertThat(udp.isOpen()).isTrue();
        assertThat(errors).as("seed %d", SEED).isEmpty();
        assertThat(answered).isGreaterThan(PACKETS / 4);
        assertThat(bad.sum()).isGreaterThan(PACKETS / 4);
        udp.finishAndReleaseAll();
    }

    @Test
    void tcpFramingSurvivesGarbageStreams() {
        QueryProcessor processor = new QueryProcessor(() -> zone, observer, ServerSettings.DEFAULT_UDP_PAYLOAD);
        Mutator mutator = new Mutator(SEED + 1);
        Random random = new Random(SEED);
        for (int conn = 0; conn < 2_000; conn++) {
            EmbeddedChannel tcp = new EmbeddedChannel(
                    new LengthFieldBasedFrameDecoder(Responses.MAX_MESSAGE + 2, 0, 2, 0, 2),
                    new TcpHandler(processor, observer));
            for (int i = 0; i < 5; i++) {
                byte[] p = mutator.next();
                ByteBuf frame = Unpooled.buffer();
                // Mostly right length prefixes, sometimes wrong ones: the stream must never wedge the handler.
                frame.writeShort(random.nextInt(10) == 0 ? random.nextInt(65536) : p.length).writeBytes(p);
                tcp.writeInbound(frame);
            }
            for (Object o; (o = tcp.readOutbound()) != null;) {
                ByteBuf b = (ByteBuf) o;
                assertThat(b.getUnsignedShort(0)).isEqualTo(b.readableBytes() - 2);
                b.release();
            }
            tcp.finishAndReleaseAll();
        }
        assertThat(errors).as("seed %d", SEED).isEmpty();
    }

    @Test
    void aRunningServerSurvivesAFloodOfBadPacketsAndStillAnswersRight() throws Exception {
        NioEventLoopGroup group = new NioEventLoopGroup(2);
        try (DnsServer server = DnsServer.start(ServerSettings.loopback(0), group, () -> zone, observer);
                DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            client.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            AtomicInteger unparseable = new AtomicInteger();
            LongAdder received = new LongAdder();
            Thread reader = drain(client, received, unparseable);
            Mutator mutator = new Mutator(SEED + 2);
            for (int i = 0; i < PACKETS; i++) {
                client.send(ByteBuffer.wrap(mutator.next()), target);
            }
            tcpGarbage(server.port(), new Mutator(SEED + 3));
            assertStillAnswers(server.port());
            // Interrupting a thread blocked in receive() closes the channel (it is interruptible) and ends it.
            reader.interrupt();
            reader.join(5000);
            assertThat(unparseable.get()).as("responses dnsjava cannot parse, seed %d", SEED).isZero();
            assertThat(received.sum()).isGreaterThan(1000);
            assertThat(server.responsive(java.time.Duration.ofSeconds(1))).isTrue();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(errors).as("seed %d", SEED).isEmpty();
    }

    private static Thread drain(DatagramChannel client, LongAdder received, AtomicInteger unparseable) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(65535);
            while (client.isOpen()) {
                try {
                    buf.clear();
                    client.receive(buf);
                    buf.flip();
                    byte[] b = new byte[buf.remaining()];
                    buf.get(b);
                    received.increment();
                    if (!new Message(b).getHeader().getFlag(Flags.QR)) {
                        unparseable.incrementAndGet();
                    }
                } catch (java.nio.channels.ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    unparseable.incrementAndGet();
                }
            }
        }, "fuzz-drain");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void tcpGarbage(int port, Mutator mutator) throws IOException {
        for (int conn = 0; conn < 200; conn++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 10; i++) {
                    byte[] p = mutator.next();
                    out.write(new byte[] {(byte) (p.length >> 8), (byte) p.length});
                    out.write(p);
                }
                out.write(mutator.next());
                out.flush();
            } catch (IOException e) {
                // The server may close a connection on garbage; that is allowed.
            }
        }
    }

    private static void assertStillAnswers(int port) {
        String name = "rebel-base.default.svc.clusterset.local";
        // The flood may still fill the socket's receive buffer: a query can be dropped until it drains.
        dev.clustermesh.testing.Eventually.await(java.time.Duration.ofSeconds(60),
                () -> assertThat(Dns.send(port, name, Type.A, false).getRcode()).isEqualTo(Rcode.NOERROR));
        for (boolean tcp : new boolean[] {false, true}) {
            Message m = Dns.send(port, name, Type.A, tcp);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(DnsServerTest.rdata(m, Section.ANSWER)).containsExactly("10.11.0.10");
            assertThat(Dns.send(port, "big.default.svc.clusterset.local", Type.A, tcp).getSection(Section.ANSWER))
                    .hasSize(100);
        }
    }

    private void checkResponse(byte[] query, byte[] response, int i) throws IOException {
        Message m = new Message(response);
        String why = "packet %d (seed %d): %s".formatted(i, SEED, ByteBufUtil.hexDump(query));
        assertThat(m.getHeader().getFlag(Flags.QR)).as(why).isTrue();
        assertThat(m.getHeader().getID()).as(why).isEqualTo(((query[0] & 0xff) << 8) | (query[1] & 0xff));
        assertThat(response.length).as(why).isLessThanOrEqualTo(m.getOPT() == null ? 512 : 1232);
        assertThat(m.getRcode()).as(why).isIn(Rcode.NOERROR, Rcode.FORMERR, Rcode.NXDOMAIN, Rcode.NOTIMP,
                Rcode.REFUSED, Rcode.BADVERS, Rcode.NOTAUTH);
        if (m.getRcode() != Rcode.FORMERR && m.getHeader().getCount(Section.QUESTION) == 1) {
            // The question goes back octet for octet: the bytes right after the header are the query's.
            int length = m.getQuestion().getName().length() + 4;
            assertThat(Arrays.copyOfRange(response, 12, 12 + length)).as(why)
                    .isEqualTo(Arrays.copyOfRange(query, 12, 12 + length));
        }
    }
}
