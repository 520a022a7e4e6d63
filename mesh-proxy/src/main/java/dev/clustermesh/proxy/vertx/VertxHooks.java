package dev.clustermesh.proxy.vertx;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Counts, per hook into Vert.x (see this package's description), the times it attached and the times it could
 * not: {@code mesh_proxy_vertx_hook_attached{hook}} and {@code mesh_proxy_vertx_hook_missed{hook}}. A miss
 * means a Quarkus or Vert.x upgrade changed what the hook relies on; the first miss of each hook is logged as a
 * warning naming what was missing. The proxy keeps serving either way, without what the hook adds.
 */
@Singleton
public final class VertxHooks {
    private static final Logger LOG = Logger.getLogger(VertxHooks.class);

    /** The hooks, named as in the metrics. */
    public enum Hook {
        CONNECTION_WATCH("connection-watch"),
        FLUSH_BATCHING("flush-batching"),
        POOLED_TLS_BUFFERS("pooled-tls-buffers"),
        WRITE_FENCE("write-fence");

        private final String label;

        Hook(String label) {
            this.label = label;
        }

        /** The metric label. */
        public String label() {
            return label;
        }
    }

    private final Map<Hook, Counter> attached = new EnumMap<>(Hook.class);
    private final Map<Hook, Counter> missed = new EnumMap<>(Hook.class);
    private final Map<Hook, AtomicBoolean> warned = new EnumMap<>(Hook.class);

    VertxHooks(MeterRegistry registry) {
        for (Hook h : Hook.values()) {
            attached.put(h, Counter.builder("mesh_proxy_vertx_hook_attached").tag("hook", h.label())
                    .description("Times a hook into Vert.x attached (per connection, call or server)")
                    .register(registry));
            missed.put(h, Counter.builder("mesh_proxy_vertx_hook_missed").tag("hook", h.label())
                    .description("Times a hook into Vert.x could not attach: Quarkus or Vert.x changed under it")
                    .register(registry));
            warned.put(h, new AtomicBoolean());
        }
    }

    void attached(Hook hook) {
        attached.get(hook).increment();
    }

    void missed(Hook hook, String what) {
        missed.get(hook).increment();
        if (warned.get(hook).compareAndSet(false, true)) {
            LOG.warnf("Vert.x hook %s could not attach: %s; the proxy serves without it "
                    + "(counted in mesh_proxy_vertx_hook_missed)", hook.label(), what);
        }
    }

    /** Times {@code hook} attached so far. */
    public long attachedCount(Hook hook) {
        return (long) attached.get(hook).count();
    }

    /** Times {@code hook} could not attach so far. */
    public long missedCount(Hook hook) {
        return (long) missed.get(hook).count();
    }
}
