package dev.clustermesh.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports that were free a moment ago, for servers a test starts.
 *
 * <p>Ports come from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}), never from it:
 * a port the kernel handed out for {@code bind(0)} is just as likely to be handed out again a moment later as the
 * source port of some process's outgoing connection, which then makes the server that was meant to bind it fail
 * to start (seen in CI: a demo proxy died with "address in use" seconds after its port was chosen). A port is
 * never handed out twice by one JVM.
 */
public final class FreePorts {

    private static final int LOWEST = 20000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /**
     * One TCP and UDP port on 127.0.0.1 that is free now and outside the ephemeral range. Another process may
     * still take it before the caller binds it.
     */
    public static int next() {
        int below = ephemeralLow();
        if (below - LOWEST < 1000) {
            return kernelChosen();
        }
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = LOWEST + ThreadLocalRandom.current().nextInt(below - LOWEST);
            if (HANDED_OUT.add(port) && free(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in " + LOWEST + ".." + (below - 1)
                + " after 500 tries");
    }

    private static boolean free(int port) {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(at);
        } catch (IOException e) {
            return false;
        }
        try (DatagramSocket d = new DatagramSocket(at)) {
            return d.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range, 32768 (Linux's default) when it cannot be read. */
    static int ephemeralLow() {
        // Files.readString reads /proc files wrongly on JDK 17 (they report size 0): read a line instead.
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    private static int kernelChosen() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot allocate a free loopback port", e);
        }
    }
}
