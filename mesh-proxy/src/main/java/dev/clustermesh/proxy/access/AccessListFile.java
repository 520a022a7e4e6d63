package dev.clustermesh.proxy.access;

import dev.clustermesh.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The access list in force: read from {@code mesh.access.file} at start and whenever its content changes
 * (Kubernetes swaps a mounted ConfigMap's files in place), checked every {@code mesh.access.check-interval}.
 *
 * <p>Bad input never loses state: a file that does not parse is logged with every problem and counted
 * ({@code mesh_proxy_access_list_invalid}), and the last valid list stays in force. A configured file that does
 * not exist, or never parsed, lets no other cluster in.
 */
@Singleton
public final class AccessListFile {
    private static final Logger LOG = Logger.getLogger(AccessListFile.class);

    private final Optional<Path> file;
    private final Duration interval;
    private final Counter invalid;
    private final List<Consumer<AccessList>> listeners = new CopyOnWriteArrayList<>();
    private volatile AccessList current;
    private volatile boolean valid = true;
    /** The text last read (null: none yet, or the file is missing). */
    private String lastText;
    /** The file was missing at the last check (and that was logged). */
    private boolean missing;
    private ScheduledExecutorService checker;

    AccessListFile(ProxyConfig config, MeterRegistry registry) {
        this.file = config.access().file();
        this.interval = config.access().checkInterval();
        this.invalid = Counter.builder("mesh_proxy_access_list_invalid")
                .description("Reads of the access list file that did not parse (the last valid list stays)")
                .register(registry);
        gauge(registry, Gauge.builder("mesh_proxy_access_list_clusters", this,
                f -> f.current().open() ? -1 : f.current().clusters().size())
                .description("Clusters on the access list (-1: no list configured, every remote cluster may read)"));
        gauge(registry, Gauge.builder("mesh_proxy_access_list_valid", this, f -> f.valid ? 1 : 0)
                .description("Whether the access list file's last read parsed (0: an older list is in force)"));
        this.current = file.isEmpty() ? AccessList.OPEN : AccessList.CLOSED;
        check();
    }

    /**
     * Registers {@code gauge}, replacing whatever the registry holds under its ID: a registry hands back the meter
     * already registered, which would read an earlier instance (tests restart the application in one JVM).
     */
    static void gauge(MeterRegistry registry, Gauge.Builder<?> gauge) {
        registry.remove(gauge.register(registry));
        gauge.register(registry);
    }

    /** The list in force. */
    public AccessList current() {
        return current;
    }

    /** Calls {@code listener} with every new list in force, on the checker's thread. */
    public void onChange(Consumer<AccessList> listener) {
        listeners.add(listener);
    }

    void start(@Observes StartupEvent event) {
        if (file.isEmpty()) {
            LOG.warn("mesh.access.file is not set: every remote-<cluster> certificate of the mesh CA may read this "
                    + "cluster's shared state; set it to the access list that meshctl clustermesh connect keeps");
            return;
        }
        checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "access-list");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, interval.toMillis());
        checker.scheduleWithFixedDelay(this::checkSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.errorf(e, "checking the access list %s failed; the list in force stays", file.orElseThrow());
        }
    }

    /** Reads the file if it changed; package-private so tests can check without waiting. */
    synchronized void check() {
        if (file.isEmpty()) {
            return;
        }
        Path f = file.get();
        String text;
        try {
            text = Files.readString(f);
        } catch (NoSuchFileException e) {
            text = null;
        } catch (IOException e) {
            LOG.errorf("cannot read the access list %s: %s; the list in force stays", f, e.getMessage());
            return;
        }
        if (Objects.equals(text, lastText) && lastText != null) {
            return;
        }
        if (text == null) {
            if (!missing) {
                // Logged once per absence: until the first connect, Kubernetes mounts the optional ConfigMap empty.
                LOG.warnf("the access list %s does not exist: no other cluster may read until it does", f);
                missing = true;
            }
            lastText = null;
            install(AccessList.CLOSED);
            return;
        }
        missing = false;
        lastText = text;
        try {
            AccessList next = AccessList.parse(text, f.toString());
            valid = true;
            if (install(next)) {
                LOG.infof("access list %s: %s", f, describe(next));
            }
        } catch (AccessList.InvalidAccessList e) {
            valid = false;
            invalid.increment();
            LOG.errorf("%s; the list in force stays (%s)", e.getMessage(), describe(current));
        }
    }

    private boolean install(AccessList next) {
        if (next.equals(current)) {
            return false;
        }
        current = next;
        for (Consumer<AccessList> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.errorf(e, "applying the new access list failed");
            }
        }
        return true;
    }

    private static String describe(AccessList l) {
        return l.open() ? "open" : l.clusters().isEmpty() ? "no other cluster may read"
                : "clusters " + String.join(", ", l.names()) + " may read";
    }
}
