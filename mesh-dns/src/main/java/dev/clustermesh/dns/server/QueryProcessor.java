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
import io.netty.handler.codec.dns.DnsResponse;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Turns one query message into the response to send, for both transports: read, answer from the current zone,
 * frame, observe. Thread-safe; shared by every handler of a server.
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
     * The response to {@code packet}, or {@code null} when nothing is to be sent. Never throws: an unexpected
     * failure is reported to the observer and the packet dropped.
     */
    DnsResponse process(ByteBuf packet, boolean tcp, Responses.Factory factory) {
        long start = System.nanoTime();
        try {
            Incoming in = QueryReader.read(packet);
            if (in instanceof Query q) {
                Question question = new Question(q.question().name(), q.question().type().intValue(),
                        q.question().dnsClass());
                Answer a = zone.get().answer(question, rotation.getAndIncrement());
                int limit = tcp ? Responses.MAX_MESSAGE : Responses.udpLimit(q.edns(), udpPayloadMax);
                Responses.Built b = Responses.answer(factory, q, a, limit, udpPayloadMax);
                if (b.truncated() && !tcp) {
                    observer.truncated();
                }
                observer.answered(tcp, question.type(), b.rcode(), System.nanoTime() - start);
                return b.response();
            }
            if (in instanceof Malformed m) {
                observer.badPacket(m.reason());
                observer.answered(tcp, 0, Answer.FORMERR, System.nanoTime() - start);
                return Responses.error(factory, m.id(), m.opcode(), m.rd(), Answer.FORMERR);
            }
            if (in instanceof Unsupported u) {
                observer.answered(tcp, 0, Answer.NOTIMP, System.nanoTime() - start);
                return Responses.error(factory, u.id(), u.opcode(), u.rd(), Answer.NOTIMP);
            }
            observer.badPacket(((Dropped) in).reason());
            return null;
        } catch (RuntimeException e) {
            observer.internalError(e);
            return null;
        }
    }
}
