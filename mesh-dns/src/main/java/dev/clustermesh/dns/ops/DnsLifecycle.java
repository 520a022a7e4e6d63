package dev.clustermesh.dns.ops;

import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.dns.mesh.DnsCore;
import dev.clustermesh.dns.mesh.DnsSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import dev.clustermesh.core.tls.CertificateGauges;
import org.jboss.logging.Logger;

/**
 * Owns the one {@link DnsCore} of the process: starts it on Vert.x's Netty event loops with the application
 * (a port that cannot be bound stops start-up with the reason) and closes it on shutdown.
 */
@Singleton
final class DnsLifecycle {
    private static final Logger LOG = Logger.getLogger(DnsLifecycle.class);
    private final DnsCore core;
    private final DnsMetrics metrics;
    private final Vertx vertx;
    private final CertificateGauges certificates;

    DnsLifecycle(DnsSettings settings, DnsMetrics metrics, MeterRegistry registry, Vertx vertx) {
        this.core = new DnsCore(settings, metrics);
        this.metrics = metrics;
        this.vertx = vertx;
        this.certificates = new CertificateGauges(registry, core::certificates);
        Gauge.builder("mesh_dns_connected_clusters", core,
                c -> c.clusters().values().stream().filter(ClusterStatus::connected).count())
                .description("Clusters with a live connection").register(registry);
        Gauge.builder("mesh_dns_ready_clusters", core,
                c -> c.clusters().values().stream().filter(ClusterStatus::ready).count()).register(registry);
        Gauge.builder("mesh_dns_global_services", core, c -> c.view().snapshot().services().size())
                .register(registry);
        Gauge.builder("mesh_dns_zone_serial", core, c -> c.zone().serial()).register(registry);
    }

    @Produces
    DnsCore core() {
        return core;
    }

    // Vert.x 4 deprecates nettyEventLoopGroup() without a public replacement; it is the one way to put Netty
    // channels on Vert.x's own event loops rather than on a second set of threads.
    @SuppressWarnings("deprecation")
    void start(@Observes StartupEvent e) {
        DnsSettings s = core.settings();
        core.start(vertx.nettyEventLoopGroup(), metrics);
        certificates.start(java.time.Duration.ofSeconds(5));
        LOG.infof("mesh-dns for %s on %s:%d (udp x%d, tcp), zone %s, TTL %ds, clusters from %s",
                s.zone().localCluster(), s.server().host().getHostAddress(), core.port(), s.server().udpSockets(),
                s.zone().apex(), s.zone().ttlSeconds(), s.clustersDir());
    }

    void stop(@Observes ShutdownEvent e) {
        certificates.close();
        core.close();
    }
}
