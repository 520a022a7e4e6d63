package dev.clustermesh.dns.server;

import dev.clustermesh.dns.server.QueryReader.Dropped;
import dev.clustermesh.dns.server.QueryReader.Incoming;
import dev.clustermesh.dns.server.QueryReader.Malformed;
import dev.clustermesh.dns.server.QueryReader.Query;
import dev.clustermesh.dns.server.QueryReader.Unsupported;
import dev.clustermesh.dns.zone.Answer;
import dev.clustermesh.dns.zone.Question;
import dev.clustermesh.dns.zone.Zone;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Turns one query message into the response to send, for both transports: read, answer from the current zone,
 * write, observe. Thread-safe; shared by every handler of a server.
 */
final class QueryProcessor {
    private final Supplier<Zone> zone;
    private final DnsObserver observer;
    private final int udpPayloadMax;
    private final AtomicLong rotation = new AtomicLong();

    QueryProcessor(Supplier<Zone> zone, DnsObserver observer, int udpPayloadMax) {
        this.zone = zone;
        this.observer = observer;
        this.udpPayloadMax = udpPayloadMax;
    }

    /**
     * The response to {@code packet} in a buffer from {@code alloc} (over TCP with its two-octet length prefix),
     * or {@code null} when nothing is to be sent. Never throws: an unexpected failure is reported to the
     * observer and the packet dropped.
     */
    ByteBuf process(ByteBuf packet, boolean tcp, ByteBufAllocator alloc) {
        long start = System.nanoTime();
        Incoming in;
        try {
            in = QueryReader.read(packet);
        } catch (RuntimeException e) {
            observer.internalError(e);
            return null;
        }
        if (in instanceof Dropped d) {
            observer.badPacket(d.reason());
            return null;
        }
        ByteBuf out = alloc.buffer(tcp ? 514 : 512);
        try {
            if (tcp) {
                out.writeShort(0);
            }
            respond(in, out, tcp, start);
            if (tcp) {
                out.setShort(0, out.readableBytes() - 2);
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            observer.internalError(e);
            return null;
        }
    }

    private void respond(Incoming in, ByteBuf out, boolean tcp, long start) {
        if (in instanceof Query q && q.tsig() != null) {
            observer.badPacket(BadPacket.TSIG_KEY);
            Responses.error(out, q.id(), 0, q.rd(), Answer.NOTAUTH, q.question(), q.edns(), udpPayloadMax,
                    q.tsig());
            observer.answered(tcp, q.question().type(), Answer.NOTAUTH, System.nanoTime() - start);
        } else if (in instanceof Query q) {
            Question question = new Question(q.question().key(), q.question().type(), q.question().dnsClass());
            Answer a = zone.get().answer(question, rotation.getAndIncrement());
            int limit = tcp ? Responses.MAX_MESSAGE : Responses.udpLimit(q.edns(), udpPayloadMax);
            Responses.Built b = Responses.answer(out, q, a, limit, udpPayloadMax);
            if (b.truncated() && !tcp) {
                observer.truncated();
            }
            observer.answered(tcp, question.type(), b.rcode(), System.nanoTime() - start);
        } else if (in instanceof Malformed m) {
            observer.badPacket(m.reason());
            Responses.error(out, m.id(), m.opcode(), m.rd(), Answer.FORMERR, m.question(), m.edns(), udpPayloadMax,
                    null);
            observer.answered(tcp, 0, Answer.FORMERR, System.nanoTime() - start);
        } else {
            Unsupported u = (Unsupported) in;
            Responses.error(out, u.id(), u.opcode(), u.rd(), Answer.NOTIMP, u.question(), u.edns(), udpPayloadMax,
                    null);
            observer.answered(tcp, 0, Answer.NOTIMP, System.nanoTime() - start);
        }
    }
}
