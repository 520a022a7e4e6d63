package dev.clustermesh.dns.ops;

import dev.clustermesh.dns.mesh.DnsCore;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while every event loop the server runs on executes a no-op task within a second: a stuck loop fails it. */
@Liveness
@Singleton
final class DnsLiveness implements HealthCheck {
    private static final Duration LOOP_TIMEOUT = Duration.ofSeconds(1);
    private final DnsCore core;

    DnsLiveness(DnsCore core) {
        this.core = core;
    }

    @Override
    public HealthCheckResponse call() {
        // Before start-up has bound the server there is nothing to be stuck.
        boolean live = core.port() < 0 || core.responsive(LOOP_TIMEOUT);
        return HealthCheckResponse.named("dns-event-loops").status(live).build();
    }
}
