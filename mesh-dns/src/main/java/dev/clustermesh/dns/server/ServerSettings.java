package dev.clustermesh.dns.server;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Where and how the server listens.
 *
 * @param host the address to bind, UDP and TCP
 * @param port the port, UDP and TCP; 0 picks a free one (the same for both)
 * @param udpSockets UDP sockets bound to the port with SO_REUSEPORT, each on its own event loop, so the kernel
 *        spreads clients over several threads; 1 binds a single socket without SO_REUSEPORT
 * @param udpPayloadMax the largest UDP response sent to an EDNS client (RFC 6891); clients without EDNS get 512
 * @param tcpIdleTimeout a TCP connection without a complete query for this long is closed
 * @param tcpMaxConnections connections above this are closed at once
 */
public record ServerSettings(InetAddress host, int port, int udpSockets, int udpPayloadMax, Duration tcpIdleTimeout,
        int tcpMaxConnections) {
    /** The smallest UDP payload every DNS client accepts (RFC 1035). */
    public static final int MIN_UDP_PAYLOAD = 512;
    /** The EDNS payload size recommended since DNS flag day 2020: no IP fragmentation. */
    public static final int DEFAULT_UDP_PAYLOAD = 1232;

    /**
     * @throws IllegalArgumentException naming the value when the port, socket count, payload size, timeout or
     *         connection limit is out of range
     */
    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        if (udpSockets < 1 || udpSockets > 64) {
            throw new IllegalArgumentException("UDP sockets " + udpSockets + " is outside 1..64");
        }
        if (udpPayloadMax < MIN_UDP_PAYLOAD || udpPayloadMax > 65535) {
            throw new IllegalArgumentException("UDP payload maximum " + udpPayloadMax + " is outside 512..65535");
        }
        if (tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero()) {
            throw new IllegalArgumentException("TCP idle timeout " + tcpIdleTimeout + " must be positive");
        }
        if (tcpMaxConnections < 1) {
            throw new IllegalArgumentException("TCP connection limit " + tcpMaxConnections + " must be positive");
        }
    }

    /** Loopback, the given port, one UDP socket, 1232-octet EDNS payloads, 10 s TCP idle timeout, 1024 connections. */
    public static ServerSettings loopback(int port) {
        return new ServerSettings(InetAddress.getLoopbackAddress(), port, 1, DEFAULT_UDP_PAYLOAD, Duration.ofSeconds(10),
                1024);
    }
}
