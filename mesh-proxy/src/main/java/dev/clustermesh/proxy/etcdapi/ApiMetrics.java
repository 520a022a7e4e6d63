package dev.clustermesh.proxy.etcdapi;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Prometheus metrics of the API: requests by method and code, refusals, watchers by identity, events sent. */
@Singleton
final class ApiMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> watchers = new ConcurrentHashMap<>();
    private final Counter eventsSent;
    private final Counter slowWatchersClosed;
    private final Counter streamsBehind;
    private final Counter streamsFailed;
    private volatile RangeBudget rangeBudget;

    ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.eventsSent = Counter.builder("mesh_proxy_watch_events_sent")
                .description("Events sent to downstream watchers").register(registry);
        this.slowWatchersClosed = Counter.builder("mesh_proxy_watch_streams_too_slow")
                .description("Watches cancelled as compacted because they fell behind the event history")
                .register(registry);
        this.streamsBehind = Counter.builder("mesh_proxy_watch_streams_behind")
                .description("Times a watch stream's queue was full and its watches caught up from the history")
                .register(registry);
        this.streamsFailed = Counter.builder("mesh_proxy_watch_streams_failed")
                .description("Watch streams ended with UNAVAILABLE after a failure in the proxy").register(registry);
    }

    /** Reports the Range answers' bound: bytes in flight, the bound itself, answers that had to wait. */
    void rangeBudget(RangeBudget budget) {
        this.rangeBudget = budget;
        Gauge.builder("mesh_proxy_range_bytes_in_flight", budget, RangeBudget::used)
                .description("Bytes of Range answers being sent now").register(registry);
        Gauge.builder("mesh_proxy_range_bytes_limit", budget, RangeBudget::limit)
                .description("Bound on the bytes of Range answers sent at once (a quarter of the heap)")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("mesh_proxy_range_answers_waited", budget,
                RangeBudget::waits).description("Range answers that waited for room under the bound").register(registry);
    }

    /** Bytes of Range answers being sent now (read from the bound, not the registry: see VertxHooksIT). */
    long rangeBytesInFlight() {
        RangeBudget b = rangeBudget;
        return b == null ? 0 : b.used();
    }

    void request(String method, String code) {
        registry.counter("mesh_proxy_requests", "method", method, "code", code).increment();
    }

    /** A call refused before it started, or a watch stream ended, because its caller may not read. */
    void refused(String method, String identity, String reason) {
        registry.counter("mesh_proxy_refused_clients", "method", method, "identity", identity, "reason", reason)
                .increment();
    }

    void eventsSent(int n) {
        eventsSent.increment(n);
    }

    void watchTooFarBehind() {
        slowWatchersClosed.increment();
    }

    void watchStreamBehind() {
        streamsBehind.increment();
    }

    void watchStreamFailed() {
        streamsFailed.increment();
    }

    /** Times a stream fell behind and caught up from the history (for tests and status). */
    long streamsBehind() {
        return (long) streamsBehind.count();
    }

    /** Watches cancelled for falling behind the history (for tests and status). */
    long slowWatchersClosed() {
        return (long) slowWatchersClosed.count();
    }

    /** Adds {@code delta} to the number of open watches of {@code identity}. */
    void watchers(ClientIdentity identity, int delta) {
        watchers.computeIfAbsent(identity.toString(), id -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("mesh_proxy_watchers", n, AtomicInteger::get).tag("identity", id)
                    .description("Open downstream watches by client identity").register(registry);
            return n;
        }).addAndGet(delta);
    }

    /** Open watches of one identity (for tests and status). */
    int watchers(String identity) {
        AtomicInteger n = watchers.get(identity);
        return n == null ? 0 : n.get();
    }
}
