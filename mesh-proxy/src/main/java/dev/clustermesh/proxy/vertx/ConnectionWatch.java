package dev.clustermesh.proxy.vertx;

import dev.clustermesh.proxy.vertx.VertxHooks.Hook;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Gives a gRPC call the HTTP request it arrived on: to learn when its client's connection is gone, and the
 * authority the client dialled.
 *
 * <p>Why: on Quarkus's unified server a watch stream is not told when its client dies without closing the
 * stream (killed process): neither the observer nor the cancel handler fires, and dead watches would pile
 * up. A route filter ordered before the gRPC route stores the request in the request's Vert.x context (a
 * context-local); the call, running on that same context, finds it there.
 */
@Singleton
public final class ConnectionWatch {
    private static final String KEY = "mesh-proxy.http-request";

    private final VertxHooks hooks;

    ConnectionWatch(VertxHooks hooks) {
        this.hooks = hooks;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            Context context = Vertx.currentContext();
            if (context != null) {
                context.putLocal(KEY, rc.request());
            }
            rc.next();
        });
    }

    /**
     * The authority ({@code host:port}) the client of the current call dialled, or empty outside a call or when
     * the client sent none.
     */
    public Optional<String> authority() {
        return request().map(HttpServerRequest::host);
    }

    /**
     * Runs {@code onClose} when the connection of the current call closes. Counted as a miss (and not run) when
     * the call finds no request in its context.
     */
    public void onClose(Runnable onClose) {
        Optional<HttpServerRequest> request = request();
        if (request.isPresent()) {
            request.get().response().closeHandler(v -> onClose.run());
            hooks.attached(Hook.CONNECTION_WATCH);
        } else {
            hooks.missed(Hook.CONNECTION_WATCH, "no HTTP request in the gRPC call's Vert.x context "
                    + "(route order or context-locals changed); a killed client's watches stay until it reconnects");
        }
    }

    /**
     * A {@link WriteFence} on the response of the current call, which must be an HTTP/2 request for {@code path}
     * (e.g. {@code /etcdserverpb.KV/Range}); empty, and counted as a miss of {@code write-fence}, when the call
     * finds no such request in its context.
     */
    public Optional<WriteFence> writeFence(String path) {
        Optional<HttpServerRequest> request = request();
        if (request.isPresent() && request.get().version() == HttpVersion.HTTP_2
                && path.equals(request.get().path()) && !request.get().response().ended()) {
            hooks.attached(Hook.WRITE_FENCE);
            return Optional.of(WriteFence.of(request.get().response()));
        }
        hooks.missed(Hook.WRITE_FENCE, request.isEmpty()
                ? "no HTTP request in the gRPC call's Vert.x context (route order or context-locals changed)"
                : "the call's context holds " + request.get().version() + " " + request.get().path() + ", not HTTP/2 "
                        + path);
        return Optional.empty();
    }

    private static Optional<HttpServerRequest> request() {
        Context context = Vertx.currentContext();
        Object request = context == null ? null : context.getLocal(KEY);
        return request instanceof HttpServerRequest r ? Optional.of(r) : Optional.empty();
    }
}
