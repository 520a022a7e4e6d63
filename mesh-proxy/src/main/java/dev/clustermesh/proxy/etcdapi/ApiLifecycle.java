package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.cache.UpstreamFeed;
import dev.clustermesh.proxy.config.ProxySettings;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Owns the cache, its upstream feed and the watch hub: creates them, starts the feed, stops it on shutdown. */
@Singleton
final class ApiLifecycle {
    private final KvCache cache;
    private final WatchHub hub;
    private final UpstreamFeed feed;
    private final QueueBudget budget;
    private final ProxySettings settings;
    private final io.micrometer.core.instrument.Counter stalls;
    private ScheduledExecutorService progress;

    ApiLifecycle(ProxySettings settings, Client client, MeterRegistry registry) {
        this.settings = settings;
        this.cache = new KvCache(settings.historySize(), settings.historyBytes());
        this.budget = new QueueBudget(settings.watchQueueTotalBytes());
        this.hub = new WatchHub(cache::header);
        this.cache.addListener(hub);
        this.feed = new UpstreamFeed(client, cache, settings.etcdRequestTimeout());
        Gauge.builder("mesh_proxy_cache_keys", cache, KvCache::size).description("Keys in the cache").register(registry);
        Gauge.builder("mesh_proxy_cache_bytes", cache, KvCache::bytes).register(registry);
        Gauge.builder("mesh_proxy_cache_history_events", cache, KvCache::historySize).register(registry);
        Gauge.builder("mesh_proxy_cache_history_bytes", cache, KvCache::historyBytes).register(registry);
        Gauge.builder("mesh_proxy_watch_queued_bytes", budget, QueueBudget::used)
                .description("Bytes queued for all watch streams (a shared frame counts once per stream)")
                .register(registry);
        Gauge.builder("mesh_proxy_upstream_revision", cache, KvCache::revision)
                .description("etcd revision the cache reflects").register(registry);
        Gauge.builder("mesh_proxy_upstream_relists", feed, UpstreamFeed::relists).register(registry);
        Gauge.builder("mesh_proxy_upstream_silent_watches", feed, UpstreamFeed::silentWatches)
                .description("Upstream watches found silent while etcd moved on, and replaced").register(registry);
        Gauge.builder("mesh_proxy_watch_streams", hub, WatchHub::streams).register(registry);
        Gauge.builder("mesh_proxy_watch_streams_catching_up", hub, WatchHub::catchingUp).register(registry);
        Gauge.builder("mesh_proxy_watch_streams_waiting_for_client", hub, WatchHub::waitingForClients).register(registry);
        this.stalls = io.micrometer.core.instrument.Counter.builder("mesh_proxy_watch_stalls_woken")
                .description("Catching-up watch streams found with no drain scheduled and woken (expected 0)")
                .register(registry);
    }

    @Produces
    KvCache cache() {
        return cache;
    }

    @Produces
    WatchHub hub() {
        return hub;
    }

    @Produces
    QueueBudget budget() {
        return budget;
    }

    @Produces
    UpstreamFeed feed() {
        return feed;
    }

    void start(@Observes StartupEvent e) {
        feed.start();
        long every = settings.progressNotifyInterval().toMillis();
        progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesh-proxy-progress");
            t.setDaemon(true);
            return t;
        });
        progress.scheduleAtFixedRate(() -> cache.consistent(() -> {
            hub.progress();
            return null;
        }), every, every, TimeUnit.MILLISECONDS);
        long upstream = settings.upstreamProgressInterval().toMillis();
        progress.scheduleWithFixedDelay(feed::requestProgress, upstream, upstream, TimeUnit.MILLISECONDS);
        // Defence in depth: a catching-up stream nobody drains would be a silent watch. Never expected; counted.
        progress.scheduleWithFixedDelay(() -> {
            // Under the cache lock: a stream falling behind at this moment is not yet kicked, not stalled.
            int woken = cache.consistent(hub::wakeStalled);
            if (woken > 0) {
                stalls.increment(woken);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent e) {
        if (progress != null) {
            progress.shutdownNow();
        }
        feed.close();
    }
}
