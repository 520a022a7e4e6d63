package dev.clustermesh.meshctl.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The demo's {@code rebel-base} pod: an HTTP server on port 80 of the pod's address that answers every request
 * with the seed's JSON naming its cluster, e.g. {@code {"Galaxy": "Alderaan", "Cluster": "cluster1"}}, and an echo
 * service (RFC 862) on port {@value #ECHO_PORT}, TCP and UDP, so network policy can be tried per protocol. It uses
 * the JDK only, so the demo runs it with the meshctl classes on the class path inside the pod's network namespace:
 * {@code ip netns exec NS java -cp meshctl.jar dev.clustermesh.meshctl.demo.RebelBase IP CLUSTER POD}.
 */
public final class RebelBase {
    /** What the server prints once it accepts connections; {@code demo up} waits for it in the log. */
    static final String LISTENING = "listening on";
    /** The echo service's port, for TCP and UDP. */
    public static final int ECHO_PORT = 7;

    private RebelBase() {
    }

    /**
     * Serves until killed.
     *
     * @param args the pod's IP, its cluster's name and the pod's name
     * @throws IOException when port 80 or {@value #ECHO_PORT} of the address cannot be bound
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: RebelBase IP CLUSTER POD");
            System.exit(2);
        }
        InetAddress ip = InetAddress.getByName(args[0]);
        byte[] answer = ("{\"Galaxy\": \"Alderaan\", \"Cluster\": \"" + args[1] + "\", \"Pod\": \"" + args[2]
                + "\"}\n").getBytes(StandardCharsets.UTF_8);
        HttpServer http = HttpServer.create(new InetSocketAddress(ip, 80), 64);
        http.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        ServerSocket tcp = new ServerSocket(ECHO_PORT, 64, ip);
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(ip, ECHO_PORT));
        http.start();
        serve("tcp-echo", () -> acceptEchoes(tcp));
        serve("udp-echo", () -> echoDatagrams(udp));
        System.out.println("rebel-base " + args[2] + " of " + args[1] + " " + LISTENING + " " + args[0]
                + ":80 (HTTP) and :" + ECHO_PORT + " (echo, TCP and UDP)");
    }

    private static void serve(String name, Runnable body) {
        // Not daemon threads: with the HTTP server's, they keep the JVM serving until it is killed.
        new Thread(body, name).start();
    }

    private static void acceptEchoes(ServerSocket server) {
        while (true) {
            try {
                Socket s = server.accept();
                new Thread(() -> echo(s), "tcp-echo-conn").start();
            } catch (IOException e) {
                System.err.println("echo accept: " + e.getMessage());
            }
        }
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // The client went away: nothing to answer.
        }
    }

    private static void echoDatagrams(DatagramSocket socket) {
        byte[] buf = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
                System.err.println("echo datagram: " + e.getMessage());
            }
        }
    }
}
