package dev.clustermesh.dns.server;

import dev.clustermesh.dns.zone.Zone;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The UDP and TCP listeners of one DNS server, as Netty channels registered on a caller's event loop group (the
 * group is borrowed, never shut down here). Answers from whatever zone the supplier returns at each query.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class);
    private static final int BIND_ATTEMPTS = 5;
    private static final long CLOSE_TIMEOUT_SECONDS = 5;

    private final List<Channel> channels;
    private final ChannelGroup connections;
    private final int port;

    private DnsServer(List<Channel> channels, ChannelGroup connections, int port) {
        this.channels = List.copyOf(channels);
        this.connections = connections;
        this.port = port;
    }

    /**
     * Binds the UDP socket(s) and the TCP listener on the same port and starts answering.
     *
     * @param group an NIO event loop group (Vert.x's, in the application)
     * @param zone returns the zone to answer from; called once per query, so it must be cheap (a volatile read)
     * @throws IllegalStateException when the group is not NIO, or the port cannot be bound (the message names the
     *         address and the reason, e.g. permission denied for port 53 without CAP_NET_BIND_SERVICE)
     */
    public static DnsServer start(ServerSettings settings, EventLoopGroup group, Supplier<Zone> zone,
            DnsObserver observer) {
        if (!(group.next() instanceof NioEventLoop)) {
            throw new IllegalStateException("mesh-dns needs NIO event loops (quarkus.vertx.prefer-native-transport"
                    + " must stay false), got " + group.next().getClass().getName());
        }
        QueryProcessor processor = new QueryProcessor(zone, observer, settings.udpPayloadMax());
        RuntimeException last = null;
        for (int attempt = 0; attempt < (settings.port() == 0 ? BIND_ATTEMPTS : 1); attempt++) {
            List<Channel> bound = new ArrayList<>();
            ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
            try {
                int port = bindUdp(settings, group, processor, observer, bound);
                bound.add(bindTcp(settings, group, new Tcp(processor, observer, connections), port));
                LOG.debugf("DNS on %s:%d, %d UDP socket(s) and TCP", settings.host().getHostAddress(), port,
                        settings.udpSockets());
                return new DnsServer(bound, connections, port);
            } catch (RuntimeException e) {
                bound.forEach(c -> c.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
                last = e;
            }
        }
        throw last;
    }

    private static int bindUdp(ServerSettings s, EventLoopGroup group, QueryProcessor processor,
            DnsObserver observer, List<Channel> bound) {
        int port = s.port();
        for (int i = 0; i < s.udpSockets(); i++) {
            Bootstrap b = new Bootstrap().group(group.next()).channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            ch.pipeline().addLast(new UdpHandler(processor, observer));
                        }
                    });
            if (s.udpSockets() > 1) {
                // Several sockets on one port: the kernel hashes clients over them, one event loop each.
                b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            }
            Channel ch = bind(b.bind(new InetSocketAddress(s.host(), port)), "UDP", s, port);
            bound.add(ch);
            port = ((InetSocketAddress) ch.localAddress()).getPort();
        }
        return port;
    }

    private record Tcp(QueryProcessor processor, DnsObserver observer, ChannelGroup connections) {
    }

    private static Channel bindTcp(ServerSettings s, EventLoopGroup group, Tcp tcp, int port) {
        AtomicInteger open = new AtomicInteger();
        ServerBootstrap b = new ServerBootstrap().group(group, group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > s.tcpMaxConnections()) {
                            open.decrementAndGet();
                            tcp.observer().badPacket(BadPacket.TCP_LIMIT);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        tcp.connections().add(ch);
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, s.tcpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                                new LengthFieldBasedFrameDecoder(Responses.MAX_MESSAGE + 2, 0, 2, 0, 2),
                                new TcpHandler(tcp.processor(), tcp.observer()));
                    }
                });
        return bind(b.bind(new InetSocketAddress(s.host(), port)), "TCP", s, port);
    }

    private static Channel bind(io.netty.channel.ChannelFuture f, String what, ServerSettings s, int port) {
        f.awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("cannot bind DNS " + what + " " + s.host().getHostAddress() + ":" + port
                    + ": " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    /** The port bound, UDP and TCP. */
    public int port() {
        return port;
    }

    /**
     * True when every listener is open and its event loop runs a no-op task within {@code timeout}: a liveness
     * probe for stuck event loops. Must not be called from an event loop.
     */
    public boolean responsive(Duration timeout) {
        for (Channel c : channels) {
            if (!c.isActive() || !c.eventLoop().submit(() -> { }).awaitUninterruptibly(timeout.toMillis())) {
                return false;
            }
        }
        return true;
    }

    /** Closes every listener and open TCP connection and waits for them. */
    @Override
    public void close() {
        channels.forEach(c -> c.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        connections.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
