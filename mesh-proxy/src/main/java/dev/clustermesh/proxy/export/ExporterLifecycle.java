package dev.clustermesh.proxy.export;

import dev.clustermesh.proxy.cache.CacheListener;
import dev.clustermesh.proxy.cache.KvCache;
import dev.clustermesh.proxy.config.ProxyConfig;
import dev.clustermesh.proxy.config.ProxySettings;
import dev.clustermesh.proxy.export.source.DirectorySource;
import dev.clustermesh.proxy.export.source.ExportSource;
import dev.clustermesh.proxy.export.source.KubernetesMcsWriter;
import dev.clustermesh.proxy.export.source.KubernetesSource;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Starts the exporter with the application when {@code mesh.export.source} is not {@code none}, and stops
 * it (resigning leadership) on shutdown. Only wiring: everything else is in {@link Exporter}.
 */
@Singleton
class ExporterLifecycle {
    private static final Logger LOG = Logger.getLogger(ExporterLifecycle.class);

    private final ProxySettings settings;
    private final ProxyConfig config;
    private final Client etcd;
    private final MeterRegistry registry;
    private final Instance<KubernetesClient> kubernetes;
    private volatile Exporter exporter;
    private KubernetesMcsWriter mcsWriter;

    ExporterLifecycle(ProxySettings settings, ProxyConfig config, Client etcd, MeterRegistry registry,
            Instance<KubernetesClient> kubernetes, KvCache cache) {
        this.settings = settings;
        this.config = config;
        this.etcd = etcd;
        this.registry = registry;
        this.kubernetes = kubernetes;
        // The cache stage of each export: from etcd's acknowledgement to this proxy's cache holding the revision.
        cache.addListener(new CacheListener() {
            @Override
            public void onEvents(List<Event> events, long revision) {
                Exporter e = exporter;
                if (e != null) {
                    e.cacheHolds(revision);
                }
            }

            @Override
            public void onProgress(long revision) {
                onEvents(List.of(), revision);
            }

            @Override
            public void onReset(long floor) {
                Exporter e = exporter;
                if (e != null) {
                    e.cacheListed(floor);
                }
            }

            @Override
            public void onReady() {
                Exporter e = exporter;
                if (e != null) {
                    e.cacheListed(cache.revision());
                }
            }
        });
    }

    synchronized void start(@Observes StartupEvent event) {
        ExportSource source = switch (settings.source()) {
            case NONE -> null;
            case DIRECTORY -> new DirectorySource(settings.directory().orElseThrow(), registry);
            // Looked up only here, so no Kubernetes client is built when the source is not Kubernetes.
            case KUBERNETES -> new KubernetesSource(kubernetes.get());
        };
        if (source == null) {
            LOG.info("exporter disabled (mesh.export.source=none)");
            return;
        }
        ExportSettings exportSettings = ExportSettings.from(settings, config.mcs());
        if (source instanceof KubernetesSource) {
            mcsWriter = new KubernetesMcsWriter(kubernetes.get(), java.time.Clock.systemUTC());
        }
        KubernetesMcsWriter writer = mcsWriter;
        Exporter e = Exporter.create(exportSettings, etcd, source, registry, writer == null ? m -> { } : writer);
        exporter = e;
        e.start();
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        if (exporter != null) {
            exporter.close();
            exporter = null;
        }
        if (mcsWriter != null) {
            mcsWriter.close();
            mcsWriter = null;
        }
    }
}
