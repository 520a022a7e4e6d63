package dev.clustermesh.dns.ops;

import dev.clustermesh.dns.mesh.DnsCore;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the server listens and every configured cluster is synced or has failed with a reason. */
@Readiness
@Singleton
final class DnsReadiness implements HealthCheck {
    private final DnsCore core;

    DnsReadiness(DnsCore core) {
        this.core = core;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("clustermesh-dns")
                .status(core.port() > 0 && core.settled()).withData("port", core.port())
                .withData("names", core.zone().namesServed());
        core.clusters().forEach((name, s) -> b.withData(name, s.ready() ? "ready"
                : s.connected() ? "syncing" : "disconnected: " + s.lastFailure()));
        return b.build();
    }
}
