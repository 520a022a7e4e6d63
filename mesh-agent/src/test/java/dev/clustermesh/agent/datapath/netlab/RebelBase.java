package dev.clustermesh.agent.datapath.netlab;

import com.sun.net.httpserver.HttpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The seed's {@code rebel-base}: answers every HTTP request on port 80, and every UDP datagram on port
 * {@value #UDP_PORT}, with its cluster's name. Run in a pod namespace: {@code RebelBase IP CLUSTER}.
 */
public final class RebelBase {
    /** The UDP port it answers on. */
    public static final int UDP_PORT = 5353;

    private RebelBase() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress ip = InetAddress.getByName(args[0]);
        byte[] answer = (args[1] + "\n").getBytes(StandardCharsets.UTF_8);
        HttpServer http = HttpServer.create(new InetSocketAddress(ip, 80), 64);
        http.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        http.start();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(ip, UDP_PORT))) {
            byte[] buf = new byte[512];
            while (true) {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                udp.receive(in);
                udp.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
            }
        }
    }
}
