package dev.clustermesh.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports that were free a moment ago, for servers a test starts. */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * One free TCP port on 127.0.0.1. Another process may take it before the caller binds it; callers that
     * start a server retry with a fresh port when binding fails.
     */
    public static int next() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot allocate a free loopback port", e);
        }
    }
}
