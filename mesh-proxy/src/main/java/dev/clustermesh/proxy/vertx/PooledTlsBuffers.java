package dev.clustermesh.proxy.vertx;

import dev.clustermesh.proxy.vertx.VertxHooks.Hook;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import jakarta.inject.Singleton;

/**
 * Has the API's TLS layer (the JDK's SSLEngine under Netty) take its buffers from Netty's pool.
 *
 * <p>Why: by default Vert.x gives the JDK engine unpooled heap buffers, and Netty's SslHandler allocates a
 * fresh packet-sized buffer (~16 KiB, zeroed) for every wrap. A watch fan-out flushes one small response per
 * watcher per event, so that is 16 KiB of garbage per delivery: measured as the largest single cost of the
 * fan-out (profiled with JFR under the issue-3 benchmark). Vert.x recommends pooled buffers; Quarkus only
 * offers them through a system property.
 */
@Singleton
final class PooledTlsBuffers implements HttpServerOptionsCustomizer {
    private final VertxHooks hooks;

    PooledTlsBuffers(VertxHooks hooks) {
        this.hooks = hooks;
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        SSLEngineOptions engine = options.getSslEngineOptions();
        if (engine == null) {
            options.setSslEngineOptions(new JdkSSLEngineOptions().setPooledHeapBuffers(true));
            hooks.attached(Hook.POOLED_TLS_BUFFERS);
        } else if (engine instanceof JdkSSLEngineOptions jdk) {
            jdk.setPooledHeapBuffers(true);
            hooks.attached(Hook.POOLED_TLS_BUFFERS);
        } else {
            hooks.missed(Hook.POOLED_TLS_BUFFERS, "the HTTPS server uses " + engine.getClass().getName()
                    + ", not the JDK's engine; its buffers are not pooled by this hook");
        }
    }
}
