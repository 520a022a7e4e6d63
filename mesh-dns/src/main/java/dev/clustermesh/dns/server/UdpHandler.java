package dev.clustermesh.dns.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * Answers UDP queries with the datagrams {@link QueryProcessor} writes. Flushes once per read
 * batch. An exception never closes the socket: it is reported and the next packet is served.
 */
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final QueryProcessor processor;
    private final DnsObserver observer;

    UdpHandler(QueryProcessor processor, DnsObserver observer) {
        this.processor = processor;
        this.observer = observer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf r = processor.process(packet.content(), false, ctx.alloc());
        if (r != null) {
            ctx.write(new DatagramPacket(r, packet.sender()), ctx.voidPromise());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed encode or send (e.g. ICMP port unreachable surfacing as PortUnreachableException) concerns one
        // client; the socket serves everyone else.
        if (!(cause instanceof java.io.IOException)) {
            observer.internalError(cause);
        }
    }
}
