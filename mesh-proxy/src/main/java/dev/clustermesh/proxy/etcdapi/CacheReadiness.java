package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.cache.UpstreamFeed;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the cache holds a full list of the upstream etcd. */
@Readiness
@Singleton
final class CacheReadiness implements HealthCheck {
    private final KvCache cache;
    private final UpstreamFeed feed;

    CacheReadiness(KvCache cache, UpstreamFeed feed) {
        this.cache = cache;
        this.feed = feed;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("etcd-cache").status(cache.ready())
                .withData("revision", cache.revision()).withData("keys", cache.size())
                .withData("lastUpstreamError", feed.lastError()).build();
    }
}
