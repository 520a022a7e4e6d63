package dev.clustermesh.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback that a test can cut and heal, to partition a client from a server for real
 * (connections reset, new ones refused) while the server keeps running. Bytes are copied untouched, so TLS
 * passes through end to end.
 */
public final class TcpRelay implements AutoCloseable {
    private final InetAddress bindAddress;
    private final InetAddress targetAddress;
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile boolean closed;

    /** Starts relaying a free loopback port to {@code 127.0.0.1:targetPort}. */
    public TcpRelay(int targetPort) {
        this(InetAddress.getLoopbackAddress(), FreePorts.next(), InetAddress.getLoopbackAddress(), targetPort);
    }

    /**
     * Starts relaying {@code bindAddress:port} to {@code targetAddress:targetPort}, e.g. a node's NodePort to the
     * pod behind it, both on loopback addresses such as {@code 127.0.1.2}.
     */
    public TcpRelay(InetAddress bindAddress, int port, InetAddress targetAddress, int targetPort) {
        this.bindAddress = bindAddress;
        this.targetAddress = targetAddress;
        this.targetPort = targetPort;
        this.port = port;
        heal();
    }

    /** The port clients connect to. */
    public int port() {
        return port;
    }

    /** Connections relayed now (each a client's with its own to the target). */
    public int connections() {
        return sockets.size() / 2;
    }

    /** Resets every relayed connection and refuses new ones until {@link #heal()}. */
    public synchronized void cut() {
        ServerSocket s = server;
        server = null;
        closeQuietly(s);
        sockets.forEach(TcpRelay::closeQuietly);
        sockets.clear();
    }

    /** Accepts connections again. */
    public synchronized void heal() {
        if (server != null || closed) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(bindAddress, port), 50);
            server = s;
            Thread t = new Thread(() -> accept(s), "tcp-relay-" + port);
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on relay port " + port, e);
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                Socket out;
                try {
                    out = new Socket(targetAddress, targetPort);
                } catch (IOException e) {
                    closeQuietly(in);
                    continue;
                }
                synchronized (this) {
                    // A cut() between accept() and here must not leave this pair relaying: it would keep the
                    // client connected through a cut relay (seen once as a watcher never noticing the cut).
                    if (server != s) {
                        closeQuietly(in);
                        closeQuietly(out);
                        continue;
                    }
                    sockets.add(in);
                    sockets.add(out);
                }
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // Closed by cut() or close(), or the target refused: the client sees a reset.
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // One side went away; closing both ends below tells the other.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        cut();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // Already closed.
        }
    }
}
