package dev.clustermesh.dns.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.dns.server.QueryReader.Dropped;
import dev.clustermesh.dns.server.QueryReader.Incoming;
import dev.clustermesh.dns.server.QueryReader.Malformed;
import dev.clustermesh.dns.server.QueryReader.Query;
import dev.clustermesh.dns.server.QueryReader.Unsupported;
import dev.clustermesh.dns.zone.RecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the reader makes of well-formed and malformed queries, octet by octet, table-driven. */
class QueryReaderTest {
    private static final String NAME = "rebel-base.default.svc.clusterset.local";

    record Case(String what, byte[] packet, String expected) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Case> cases() {
        String longName = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + ".e";
        return Stream.of(
                new Case("plain query", Packets.query(7).question(NAME, 1).build(), "query 7 rd " + NAME + " A no-edns"),
                new Case("query with EDNS and DO", Packets.header(8, 0, 1, 0, 0, 1).question(NAME, 33)
                        .opt(4096, 0x8000).build(), "query 8 " + NAME + " SRV edns 4096 v0 do"),
                new Case("EDNS version 1", Packets.header(9, 0, 1, 0, 0, 1).question(NAME, 1).opt(1232, 0x10000).build(),
                        "query 9 " + NAME + " A edns 1232 v1"),
                new Case("eleven octets", new byte[11], "dropped short_header"),
                new Case("empty", new byte[0], "dropped short_header"),
                new Case("a response", Packets.header(1, 0x8000, 1, 0, 0, 0).question(NAME, 1).build(),
                        "dropped not_a_query"),
                new Case("opcode STATUS", Packets.header(2, 0x1000, 0, 0, 0, 0).build(), "unsupported 2 opcode 2"),
                new Case("no question", Packets.header(3, 0, 0, 0, 0, 0).build(), "malformed 3 question_count"),
                new Case("two questions", Packets.header(4, 0, 2, 0, 0, 0).question(NAME, 1).question(NAME, 28).build(),
                        "malformed 4 question_count"),
                new Case("compression pointer to itself", Packets.query(5).bytes(0xc0, 12).u16(1).u16(1).build(),
                        "malformed 5 bad_question"),
                new Case("two pointers pointing at each other", Packets.query(6).bytes(0xc0, 14, 0xc0, 12).u16(1).u16(1)
                        .build(), "malformed 6 bad_question"),
                new Case("pointer past the end", Packets.query(10).bytes(0xc0, 0xff).u16(1).u16(1).build(),
                        "malformed 10 bad_question"),
                new Case("truncated label", Packets.query(11).bytes(10, 'a', 'b', 'c').build(), "malformed 11 bad_question"),
                new Case("no type and class", Packets.query(12).name(NAME).build(), "malformed 12 bad_question"),
                new Case("NUL in a label is a label like any other", Packets.query(22).bytes(3, 'a', 0, 'b', 0).u16(1)
                        .u16(1).build(), "query 22 rd a\\000b A no-edns"),
                new Case("a dot inside a label stays inside it", Packets.query(23).label("rebel-base.default")
                        .name("svc.clusterset.local").u16(1)
                        .u16(1).build(), "query 23 rd rebel-base\\046default.svc.clusterset.local A no-edns"),
                new Case("UTF-8 octets are not decoded", Packets.query(24).bytes(3, 0xef, 0xbd, 0x92).name("local")
                        .u16(1).u16(1).build(), "query 24 rd \\239\\189\\146.local A no-edns"),
                new Case("upper case folds in ASCII only", Packets.query(25).question("ReBeL.CLUSTERSET.local", 1)
                        .build(), "query 25 rd rebel.clusterset.local A no-edns"),
                new Case("extended label type 0x40", Packets.query(26).bytes(0x41, 'a', 0).u16(1).u16(1).build(),
                        "malformed 26 bad_question"),
                new Case("name longer than 255", Packets.query(13).question(longName, 1).build(),
                        "malformed 13 bad_question"),
                new Case("ARCOUNT 1 without record", Packets.header(14, 0, 1, 0, 0, 1).question(NAME, 1).build(),
                        "malformed 14 section_count"),
                new Case("ANCOUNT 65535", Packets.header(15, 0, 1, 65535, 0, 0).question(NAME, 1).build(),
                        "malformed 15 section_count"),
                new Case("octets after the last section", Packets.query(16).question(NAME, 1).bytes(1, 2, 3).build(),
                        "malformed 16 trailing_data"),
                new Case("two OPT records", Packets.header(17, 0, 1, 0, 0, 2).question(NAME, 1).opt(1232, 0)
                        .opt(1232, 0).build(), "malformed 17 bad_opt"),
                new Case("OPT in the answer section", Packets.header(18, 0, 1, 1, 0, 0).question(NAME, 1).opt(1232, 0)
                        .build(), "malformed 18 bad_opt"),
                new Case("OPT not owned by the root", Packets.header(19, 0, 1, 0, 0, 1).question(NAME, 1).name("x")
                        .u16(41).u16(1232).u32(0).u16(0).build(), "malformed 19 bad_opt"),
                new Case("record with a looping name", Packets.header(20, 0, 1, 0, 0, 1).question(NAME, 1)
                        .bytes(0xc0, 12 + NAME.length() + 6).u16(1).u16(1).u32(0).u16(0).build(),
                        "malformed 20 bad_record"),
                new Case("record longer than the packet", Packets.header(21, 0, 1, 0, 0, 1).question(NAME, 1).bytes(0)
                        .u16(1).u16(1).u32(0).u16(4).bytes(1).build(), "malformed 21 section_count"),
                new Case("record name pointing forward", Packets.header(30, 0, 1, 0, 0, 1).question(NAME, 1)
                        .bytes(0xc0, 12 + NAME.length() + 6 + 2).bytes(0).u16(1).u16(1).u32(0).u16(0).build(),
                        "malformed 30 bad_record"),
                new Case("record name pointing into the header", Packets.header(31, 0, 1, 0, 0, 1).question(NAME, 1)
                        .bytes(0xc0, 4).u16(1).u16(1).u32(0).u16(0).build(), "malformed 31 bad_record"),
                new Case("record name pointing back at the question", Packets.header(32, 0, 1, 0, 0, 1)
                        .question(NAME, 1).bytes(0xc0, 12).u16(1).u16(1).u32(0).u16(0).build(),
                        "query 32 " + NAME + " A no-edns"),
                new Case("EDNS option running past the OPT data", Packets.header(33, 0, 1, 0, 0, 1).question(NAME, 1)
                        .bytes(0).u16(41).u16(1232).u32(0).u16(6).u16(10).u16(8).u16(0).build(),
                        "malformed 33 bad_opt"),
                new Case("EDNS option inside the OPT data", Packets.header(34, 0, 1, 0, 0, 1).question(NAME, 1)
                        .bytes(0).u16(41).u16(1232).u32(0).u16(6).u16(10).u16(2).u16(0).build(),
                        "query 34 " + NAME + " A edns 1232 v0"),
                new Case("TSIG-signed query", Packets.header(35, 0, 1, 0, 0, 1).question(NAME, 1).tsig(35).build(),
                        "query 35 " + NAME + " A no-edns tsig"),
                new Case("TSIG not the last record", Packets.header(36, 0, 1, 0, 0, 2).question(NAME, 1).tsig(36)
                        .opt(1232, 0).build(), "malformed 36 bad_tsig"),
                new Case("NOTIFY keeps its question and OPT for the NOTIMP answer", Packets.header(37, 4 << 11, 1, 0, 0, 1)
                        .question(NAME, 6).opt(1232, 0).build(), "unsupported 37 opcode 4 " + NAME + " edns"),
                new Case("FORMERR keeps a well-formed OPT", Packets.header(38, 0, 0, 0, 0, 1).opt(1232, 0).build(),
                        "malformed 38 question_count edns"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reads(Case c) {
        ByteBuf buf = Unpooled.wrappedBuffer(c.packet());
        Incoming in = QueryReader.read(buf);
        assertThat(describe(in)).isEqualTo(c.expected());
        assertThat(buf.readerIndex()).isZero();
        assertThat(buf.refCnt()).isEqualTo(1);
    }

    private static String describe(Incoming in) {
        if (in instanceof Query q) {
            return "query " + q.id() + (q.rd() ? " rd " : " ") + q.question().key() + " "
                    + RecordType.name(q.question().type())
                    + (q.edns() == null ? " no-edns" : " edns " + q.edns().payloadSize() + " v" + q.edns().version()
                            + (q.edns().dnssecOk() ? " do" : ""))
                    + (q.tsig() == null ? "" : " tsig");
        }
        if (in instanceof Malformed m) {
            return "malformed " + m.id() + " " + m.reason().label() + (m.edns() == null ? "" : " edns");
        }
        if (in instanceof Unsupported u) {
            return "unsupported " + u.id() + " opcode " + u.opcode()
                    + (u.question() == null ? "" : " " + u.question().key()) + (u.edns() == null ? "" : " edns");
        }
        return "dropped " + ((Dropped) in).reason().label();
    }
}
