package dev.clustermesh.meshctl.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The demo's {@code rebel-base} pod: an HTTP server on port 80 of the pod's address that answers every request
 * with the seed's JSON naming its cluster, e.g. {@code {"Galaxy": "Alderaan", "Cluster": "cluster1"}}. It uses
 * the JDK only, so the demo runs it with the meshctl classes on the class path inside the pod's network namespace:
 * {@code ip netns exec NS java -cp meshctl.jar dev.clustermesh.meshctl.demo.RebelBase IP CLUSTER POD}.
 */
public final class RebelBase {
    /** What the server prints once it accepts connections; {@code demo up} waits for it in the log. */
    static final String LISTENING = "listening on";

    private RebelBase() {
    }

    /**
     * Serves until killed.
     *
     * @param args the pod's IP, its cluster's name and the pod's name
     * @throws IOException when port 80 of the address cannot be bound
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: RebelBase IP CLUSTER POD");
            System.exit(2);
        }
        byte[] answer = ("{\"Galaxy\": \"Alderaan\", \"Cluster\": \"" + args[1] + "\", \"Pod\": \"" + args[2]
                + "\"}\n").getBytes(StandardCharsets.UTF_8);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(args[0]), 80), 64);
        http.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        http.start();
        System.out.println("rebel-base " + args[2] + " of " + args[1] + " " + LISTENING + " " + args[0] + ":80");
    }
}
