package dev.clustermesh.dns.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Answers the length-prefixed queries of one TCP connection (RFC 7766), in order, pipelined. Stops reading
 * while the client does not read its answers, closes the connection when idle or on any error.
 */
final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final QueryProcessor processor;
    private final DnsObserver observer;

    TcpHandler(QueryProcessor processor, DnsObserver observer) {
        this.processor = processor;
        this.observer = observer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        ByteBuf r = processor.process(frame, true, ctx.alloc());
        if (r != null) {
            ctx.write(r, ctx.voidPromise());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        if (!ctx.channel().isWritable()) {
            // The client is not reading its answers: stop reading its queries until the buffer drains.
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or broken connection is the client's business; anything else is ours and counted.
        if (!(cause instanceof java.io.IOException)) {
            observer.internalError(cause);
        }
        ctx.close();
    }
}
