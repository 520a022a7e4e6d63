package dev.clustermesh.core.remote;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.mesh.MeshView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The clusters to join, from a directory holding one config file per cluster (a mounted Secret): adding a file
 * connects that cluster, changing it reconnects, removing it disconnects and withdraws the cluster's state.
 *
 * <p>Why polling: Kubernetes updates a mounted Secret by swapping a symlinked directory, which file watches
 * report unreliably; comparing the files' bytes every poll interval is simple and exact. A bad file is reported
 * by name with the reason; a cluster already connected keeps its last good config, and no other cluster is
 * affected. Dot-files ({@code ..data}) are ignored, and so are files whose name has a dot anywhere: a cluster
 * name is a DNS label and never has one, while the certificates the configs point to, kept in the same
 * directory as in Cilium's clustermesh secret ({@code cluster2.etcd-client.crt}), always do.
 */
public final class ClusterDirectory implements AutoCloseable {
    private final Path dir;
    private final String ownCluster;
    private final MeshView view;
    private final RemoteClusterOptions options;
    private final Duration pollInterval;
    private final BiConsumer<String, String> onBadFile;
    private final ClusterRegistry registry = new ClusterRegistry();
    private final Map<String, RemoteCluster> clusters = new HashMap<>();
    private final Map<String, byte[]> contents = new HashMap<>();
    private final Map<String, ClusterStatus> badFiles = new HashMap<>();
    private boolean scanned;
    private String scanProblem;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-cluster-directory");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param ownCluster this node's cluster: its file is joined as local (non-shared services readable)
     * @param onBadFile called with (file name, reason) for every unusable file, once per change of the file
     */
    public ClusterDirectory(Path dir, String ownCluster, MeshView view, RemoteClusterOptions options,
            Duration pollInterval, BiConsumer<String, String> onBadFile) {
        this.dir = dir;
        this.ownCluster = ownCluster;
        this.view = view;
        this.options = options;
        this.pollInterval = pollInterval;
        this.onBadFile = onBadFile;
    }

    /** Scans now, then every poll interval. */
    public void start() {
        poller.scheduleWithFixedDelay(this::scan, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every configured cluster's status by name, bad files included (never connected, with the reason). */
    public synchronized Map<String, ClusterStatus> statuses() {
        Map<String, ClusterStatus> out = new TreeMap<>();
        out.putAll(badFiles);
        clusters.forEach((name, rc) -> out.put(name, rc.status()));
        return out;
    }

    /**
     * True once the directory has been read and every cluster file in it is ready or has failed with a reason;
     * false before the first successful scan (an empty status map then means "not read yet", not "nothing to
     * join"), so a directory that cannot be listed keeps the agent and mesh-dns unready ({@link #scanProblem()}).
     */
    public synchronized boolean settled() {
        return scanned && statuses().values().stream().allMatch(ClusterStatus::settled);
    }

    /** Why the directory could not be listed at the last scan, if it could not. */
    public synchronized Optional<String> scanProblem() {
        return Optional.ofNullable(scanProblem);
    }

    /**
     * Whether a file of the clusters directory is a cluster's config: its name has no dot. A cluster name is a
     * DNS label and never has one, while the Secret's other keys always do: the certificates beside the configs
     * in Cilium's layout ({@code cluster2.etcd-client.crt}) and the kubelet's {@code ..data} links.
     */
    public static boolean isClusterFile(Path file) {
        return file.getFileName().toString().indexOf('.') < 0;
    }

    /** Names of the clusters being watched. */
    public synchronized Set<String> watched() {
        return Set.copyOf(clusters.keySet());
    }

    synchronized void scan() {
        Map<String, byte[]> now;
        try {
            now = read();
        } catch (IOException e) {
            // A directory that cannot be read keeps what is connected; the next poll tries again.
            scanProblem = "cannot list the clusters directory " + dir + ": " + e.getMessage();
            onBadFile.accept(dir.toString(), scanProblem);
            return;
        }
        scanned = true;
        scanProblem = null;
        for (String gone : List.copyOf(contents.keySet())) {
            if (!now.containsKey(gone)) {
                remove(gone);
            }
        }
        now.forEach((name, bytes) -> {
            if (!Arrays.equals(bytes, contents.get(name))) {
                contents.put(name, bytes);
                load(name);
            }
        });
    }

    private Map<String, byte[]> read() throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(ClusterDirectory::isClusterFile).filter(Files::isRegularFile)
                    .collect(Collectors.toList())) {
                out.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }

    private void load(String name) {
        Optional<String> badName = ClusterIdentity.nameProblem(name);
        RemoteClusterConfig config;
        try {
            if (badName.isPresent()) {
                throw new InvalidConfigException(dir.resolve(name) + ": " + badName.get());
            }
            config = RemoteClusterConfig.read(dir.resolve(name));
        } catch (InvalidConfigException e) {
            ClusterStatus failed = failedFile(name, e.getMessage());
            badFiles.put(name, failed);
            onBadFile.accept(name, e.getMessage());
            if (!clusters.containsKey(name)) {
                view.statusChanged(failed);
            }
            return;
        }
        badFiles.remove(name);
        RemoteCluster old = clusters.remove(name);
        if (old != null) {
            old.close();
        }
        RemoteCluster rc = new RemoteCluster(config, name.equals(ownCluster), registry, view, options);
        clusters.put(name, rc);
        rc.start();
    }

    private void remove(String name) {
        contents.remove(name);
        badFiles.remove(name);
        RemoteCluster rc = clusters.remove(name);
        if (rc != null) {
            rc.close();
        }
        view.forget(name);
    }

    private static ClusterStatus failedFile(String name, String reason) {
        return new ClusterStatus(name, 0, false, false, Set.of(), 0, 0, 0, reason, Optional.of(Instant.now()),
                Optional.empty(), Optional.empty(), false);
    }

    /** Stops polling and closes every watcher, withdrawing their state. */
    @Override
    public void close() {
        poller.shutdownNow();
        synchronized (this) {
            clusters.values().forEach(RemoteCluster::close);
            clusters.clear();
        }
    }
}
