package dev.clustermesh.testing.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** The three loopback ports one etcd member listens on. */
record Ports(int client, int peer, int metrics) {

    /**
     * Picks three distinct ports that were free a moment ago. Another process may take one before
     * etcd binds it; {@link EtcdProcess} retries with fresh ports when that happens.
     */
    static Ports allocate() {
        InetAddress loopback;
        try {
            loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // All three sockets are open at once so the kernel hands out three different ports.
        try (ServerSocket client = new ServerSocket(0, 1, loopback);
                ServerSocket peer = new ServerSocket(0, 1, loopback);
                ServerSocket metrics = new ServerSocket(0, 1, loopback)) {
            return new Ports(client.getLocalPort(), peer.getLocalPort(), metrics.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot allocate free loopback ports", e);
        }
    }
}
