package dev.clustermesh.proxy.access;

import dev.clustermesh.core.tls.CertificateGauges;
import dev.clustermesh.core.tls.MeshCertificate;
import dev.clustermesh.core.tls.ReloadingTls;
import dev.clustermesh.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The API's server certificate, key and CA bundle follow their files: the HTTPS server's key and trust managers
 * are {@link ReloadingTls}'s, so each new handshake uses the files as they are (checked at most every
 * {@code mesh.access.tls-check-interval}, and on that period in the background for the log and the metrics);
 * open connections keep what they negotiated. A half-written or mismatched change waits, logged and counted.
 *
 * <p>Why not the TLS registry's reload: Vert.x 4.5 swaps the server's SSL context through a future that new
 * connections read before it completes, and a connection accepted in that window is closed at once (a
 * NullPointerException in Vert.x's channel initializer, seen in {@code CertRotationIT}). Managers that read the
 * material per handshake have no such window. The registry still names the files ({@value #TLS_NAME}).
 *
 * <p>Reports {@code mesh_tls_certificate_expiry_seconds{role="server"|"ca",cluster=<own>}} (the earliest CA of the
 * bundle) and {@code mesh_tls_reloads}.
 */
@Singleton
public final class ServerCertificates implements HttpServerOptionsCustomizer {
    /** The TLS registry's configuration of the API (quarkus.http.tls-configuration-name). */
    public static final String TLS_NAME = "mesh-api";
    private static final Logger LOG = Logger.getLogger(ServerCertificates.class);

    private final ReloadingTls tls;
    private final String cluster;
    private final Duration interval;
    private ScheduledExecutorService checker;

    ServerCertificates(ProxyConfig proxy, Config config, MeterRegistry meters) {
        String prefix = "quarkus.tls." + TLS_NAME + ".";
        this.interval = proxy.access().tlsCheckInterval();
        this.tls = new ReloadingTls(Path.of(config.getValue(prefix + "trust-store.pem.certs", String.class)),
                Optional.of(Path.of(config.getValue(prefix + "key-store.pem.0.cert", String.class))),
                Optional.of(Path.of(config.getValue(prefix + "key-store.pem.0.key", String.class))), interval);
        this.cluster = proxy.cluster().name();
        for (String role : List.of(MeshCertificate.SERVER, MeshCertificate.CA)) {
            AccessListFile.gauge(meters, Gauge.builder(CertificateGauges.NAME, this, s -> s.expirySeconds(role))
                    .tag("role", role).tag("cluster", cluster)
                    .description("Seconds until the certificate expires (ca: the earliest CA trusted)"));
        }
        for (FunctionCounter.Builder<ReloadingTls> c : List.of(
                FunctionCounter.builder("mesh_tls_reloads", tls, ReloadingTls::reloads)
                        .description("Times changed TLS files came into force without a restart"),
                FunctionCounter.builder("mesh_tls_reloads_rejected", tls, ReloadingTls::rejected)
                        .description("Changed TLS files that could not be used (the material in force stayed)"))) {
            c.tag("role", MeshCertificate.SERVER);
            meters.remove(c.register(meters));
            c.register(meters);
        }
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setKeyCertOptions(KeyCertOptions.wrap(tls.keyManager()));
        options.setTrustOptions(TrustOptions.wrap(tls.trustManager()));
    }

    /** The certificates in force: the server's and each trusted CA. */
    public List<MeshCertificate> certificates() {
        return MeshCertificate.of(cluster, tls, MeshCertificate.SERVER);
    }

    private double expirySeconds(String role) {
        Instant now = Instant.now();
        return certificates().stream().filter(c -> c.role().equals(role))
                .mapToDouble(c -> c.remaining(now).toMillis() / 1000.0).min().orElse(Double.NaN);
    }

    void start(@Observes StartupEvent event) {
        checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-files");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, interval.toMillis());
        checker.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    private void check() {
        try {
            if (tls.refreshNow()) {
                LOG.infof("new connections to the API get %s", ReloadingTls.describe(tls.inForce()));
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "checking the API's TLS files failed; the certificate in force stays");
        }
    }
}
