package dev.clustermesh.proxy.vertx;

import dev.clustermesh.proxy.vertx.VertxHooks.Hook;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Lets the responses written to one client connection during one turn of its event loop leave in one flush.
 *
 * <p>Why: an upstream event goes to every watch stream of a connection (an agent multiplexes its watches on
 * one connection, and a node's agents may share one), and Vert.x flushes after every HTTP/2 DATA frame
 * written outside a read. Each flush is a TLS record and a socket write of its own; for small watch
 * responses that is most of the cost of a delivery. Netty's {@link FlushConsolidationHandler}, placed at the
 * tail of the pipeline where Vert.x's {@code channel().flush()} enters, turns the flushes of one event-loop
 * turn into one. It is installed once per HTTP/2 connection, from the connection's own event loop, by a route
 * filter that runs before the gRPC route; Vert.x offers no public hook to the server's pipeline, hence the
 * cast to its internal {@link ConnectionBase}.
 */
@Singleton
final class FlushBatching {
    private static final String NAME = "mesh-flush-batching";
    /** Flush at least this often even while writes keep coming, so nothing waits long behind a burst. */
    private static final int FLUSH_AFTER_WRITES = 64;

    private final VertxHooks hooks;

    FlushBatching(VertxHooks hooks) {
        this.hooks = hooks;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(rc -> {
            HttpConnection connection = rc.request().connection();
            if (rc.request().version() == HttpVersion.HTTP_2) {
                if (connection instanceof ConnectionBase base) {
                    ChannelPipeline pipeline = base.channel().pipeline();
                    if (pipeline.get(NAME) == null) {
                        pipeline.addLast(NAME, new FlushConsolidationHandler(FLUSH_AFTER_WRITES, true));
                        hooks.attached(Hook.FLUSH_BATCHING);
                    }
                } else {
                    hooks.missed(Hook.FLUSH_BATCHING, "the HTTP/2 connection is a "
                            + (connection == null ? "null" : connection.getClass().getName())
                            + ", not Vert.x's ConnectionBase; each response is flushed on its own");
                }
            }
            rc.next();
        });
    }
}
