package dev.clustermesh.proxy.export.source;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import dev.clustermesh.proxy.export.inventory.Inventory;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A directory of Service, EndpointSlice, Node, Pod, Namespace, NetworkPolicy and CiliumNetworkPolicy manifests ({@code *.yaml}, {@code *.yml}, {@code *.json};
 * hidden files are ignored), watched for changes. Creating, editing or deleting a file is an event; the
 * objects of a file replace what that file held before.
 *
 * <p>Every event rescans the directory and re-reads the files whose content changed, so editors that write
 * through a temporary file and Kubernetes ConfigMap mounts (which swap a hidden {@code ..data} link) are
 * followed too. A malformed file is logged with its name and line, counted in
 * {@code mesh_export_manifest_errors_total} and handed to the error listener; the objects it held before
 * stay. All kinds are marked synced after the first scan.
 */
public final class DirectorySource implements ExportSource {
    /** Micrometer name of the malformed-manifest counter. */
    public static final String MANIFEST_ERRORS = "mesh.export.manifest.errors";
    private static final Logger LOG = Logger.getLogger(DirectorySource.class);
    private static final Duration QUIET = Duration.ofMillis(100);
    private static final Duration MAX_SETTLE = Duration.ofSeconds(1);

    private final Path dir;
    private final Counter errors;
    private final Consumer<ManifestError> onError;
    private final ManifestFiles files;
    private volatile boolean closed;
    private WatchService watch;
    private Thread thread;
    private Inventory inventory;

    /** A source on {@code dir} whose errors are only logged and counted. */
    public DirectorySource(Path dir, MeterRegistry registry) {
        this(dir, registry, e -> { });
    }

    /**
     * @param onError also receives every malformed-manifest report (after it is logged and counted)
     */
    public DirectorySource(Path dir, MeterRegistry registry, Consumer<ManifestError> onError) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.errors = Counter.builder(MANIFEST_ERRORS).description("Manifest files that could not be read")
                .register(registry);
        this.onError = Objects.requireNonNull(onError, "onError");
        this.files = new ManifestFiles(dir, this::report);
    }

    /**
     * Scans the directory once, records its objects, marks every kind synced, then follows changes.
     *
     * @throws UncheckedIOException when the directory cannot be watched or listed
     */
    @Override
    public synchronized void start(Inventory target) {
        if (thread != null || closed) {
            return;
        }
        this.inventory = target;
        try {
            // Watch before the first scan, so nothing written in between is missed.
            watch = dir.getFileSystem().newWatchService();
            dir.register(watch, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch manifest directory " + dir, e);
        }
        files.rescan();
        files.publish(target);
        for (SourceKind k : SourceKind.values()) {
            if (k != SourceKind.MESH_EXPORTS) { // the mesh's exports come from the mesh, not from this directory
                target.markSynced(k);
            }
        }
        LOG.infof("manifest directory %s: %d files read; following changes", dir, files.size());
        thread = new Thread(this::run, "mesh-export-directory");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closed = true;
        WatchService w;
        Thread t;
        synchronized (this) {
            w = watch;
            t = thread;
        }
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                LOG.debugf("closing the watch of %s: %s", dir, e.getMessage());
            }
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watch.poll(1, TimeUnit.SECONDS);
                if (key == null) {
                    continue;
                }
                drain(key);
                settle();
                rescan();
            }
        } catch (ClosedWatchServiceException e) {
            // close() was called.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "manifest directory %s: stopped following changes; the last state stays exported", dir);
        }
    }

    private void rescan() {
        try {
            if (files.rescan()) {
                files.publish(inventory);
            }
        } catch (UncheckedIOException e) {
            LOG.warnf("manifest directory %s: %s; the last state stays exported", dir, e.getMessage());
        }
    }

    /**
     * Waits until no event came for {@link #QUIET} (at most {@link #MAX_SETTLE}): a file written in several
     * steps ({@code cat > file} truncates first) is read once it is complete, not half-way.
     */
    private void settle() throws InterruptedException {
        long until = System.nanoTime() + MAX_SETTLE.toNanos();
        for (WatchKey more = watch.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS); more != null;
                more = watch.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) {
            drain(more);
            if (System.nanoTime() - until > 0) {
                return;
            }
        }
    }

    private void drain(WatchKey key) {
        key.pollEvents();
        if (!key.reset()) {
            LOG.warnf("manifest directory %s is no longer watchable (deleted or unmounted); "
                    + "the last state stays exported", dir);
        }
    }

    private void report(ManifestError error) {
        LOG.warnf("manifest %s:%d: %s; the objects this file held before are kept", error.file(), error.line(),
                error.message());
        errors.increment();
        onError.accept(error);
    }
}
