package dev.clustermesh.meshctl.demo;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** One DNS A query over UDP, enough to show what mesh-dns answers; the demo's own check, not a resolver. */
final class DnsProbe {
    private DnsProbe() {
    }

    /** The A records for {@code name} from {@code host:port}, or an empty list with the failure in the message. */
    static List<String> a(String host, int port, String name) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        ByteBuffer q = ByteBuffer.allocate(512);
        q.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            q.put((byte) b.length).put(b);
        }
        q.put((byte) 0).putShort((short) 1).putShort((short) 1);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.send(new DatagramPacket(q.array(), q.position(), new InetSocketAddress(InetAddress.getByName(host), port)));
            byte[] buf = new byte[4096];
            DatagramPacket answer = new DatagramPacket(buf, buf.length);
            s.receive(answer);
            ByteBuffer r = ByteBuffer.wrap(buf, 0, answer.getLength());
            if ((r.getShort(0) & 0xffff) != id) {
                throw new IOException("answer with a different ID");
            }
            int rcode = r.get(3) & 0x0f;
            if (rcode != 0) {
                throw new IOException("rcode " + rcode);
            }
            int qd = r.getShort(4) & 0xffff;
            int an = r.getShort(6) & 0xffff;
            r.position(12);
            for (int i = 0; i < qd; i++) {
                skipName(r);
                r.position(r.position() + 4);
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < an; i++) {
                skipName(r);
                int type = r.getShort() & 0xffff;
                r.getShort();
                r.getInt();
                int len = r.getShort() & 0xffff;
                if (type == 1 && len == 4) {
                    out.add((r.get() & 0xff) + "." + (r.get() & 0xff) + "." + (r.get() & 0xff) + "." + (r.get() & 0xff));
                } else {
                    r.position(r.position() + len);
                }
            }
            return out;
        }
    }

    private static void skipName(ByteBuffer r) {
        while (true) {
            int len = r.get() & 0xff;
            if (len == 0) {
                return;
            }
            if ((len & 0xc0) == 0xc0) {
                r.get();
                return;
            }
            r.position(r.position() + len);
        }
    }
}
