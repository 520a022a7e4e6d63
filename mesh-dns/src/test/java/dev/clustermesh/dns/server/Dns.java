package dev.clustermesh.dns.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Consumer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

/** Queries for tests, with dnsjava (an independent resolver and wire parser) and raw UDP packets. */
public final class Dns {
    private Dns() {
    }

    /** A query for {@code name} (absolute or not) and {@code type} with RD set. */
    public static Message query(String name, int type) {
        try {
            return Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type,
                    DClass.IN));
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Sends {@code query} to 127.0.0.1:{@code port} with dnsjava's resolver (EDNS off unless {@code setup} turns it
     * on; a truncated UDP answer is retried over TCP unless told otherwise).
     */
    public static Message send(int port, Message query, boolean tcp, Consumer<SimpleResolver> setup) {
        SimpleResolver r = new SimpleResolver(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(3));
        r.setEDNS(-1, 0, 0, java.util.List.of());
        setup.accept(r);
        try {
            return r.send(query);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #send} without extra setup. */
    public static Message send(int port, String name, int type, boolean tcp) {
        return send(port, query(name, type), tcp, r -> { });
    }

    /** Sends raw bytes over UDP and returns the response bytes, or null when none comes within {@code wait}. */
    public static byte[] raw(int port, byte[] packet, Duration wait) {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout((int) wait.toMillis());
            s.send(new DatagramPacket(packet, packet.length, InetAddress.getLoopbackAddress(), port));
            byte[] buf = new byte[65535];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                s.receive(in);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return java.util.Arrays.copyOf(buf, in.getLength());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
