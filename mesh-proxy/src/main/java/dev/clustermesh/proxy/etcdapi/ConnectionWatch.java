package dev.clustermesh.proxy.etcdapi;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Tells a long-lived call when its client's connection is gone.
 *
 * <p>Why: on Quarkus's unified server a watch stream is not told when its client dies without closing the
 * stream (killed process): neither the observer nor the cancel handler fires, and dead watches would pile
 * up. A route filter that runs before the gRPC route stores the HTTP request in the request's Vert.x
 * context; the call, running on that context, hooks the response's close handler.
 */
@Singleton
final class ConnectionWatch {
    private static final String KEY = "mesh-proxy.http-request";

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
    static java.util.Optional<String> authority() {
        Context context = Vertx.currentContext();
        Object request = context == null ? null : context.getLocal(KEY);
        return request instanceof HttpServerRequest r ? java.util.Optional.ofNullable(r.host())
                : java.util.Optional.empty();
    }

    /** Runs {@code onClose} when the connection of the current call closes; does nothing outside a call. */
    static void onClose(Runnable onClose) {
        Context context = Vertx.currentContext();
        Object request = context == null ? null : context.getLocal(KEY);
        if (request instanceof HttpServerRequest r) {
            r.response().closeHandler(v -> onClose.run());
        }
    }
}
