package dev.clustermesh.core.remote;

import dev.clustermesh.core.tls.MeshCertificate;
import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.worker.Worker;
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
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>Threads: one {@link Worker} polls, connects and closes; after every scan it publishes what it holds as one
 * immutable value, so readers ({@link #statuses()}, {@link #settled()}) never wait for a cluster that is closing.
 */
public final class ClusterDirectory implements AutoCloseable {
    private final Path dir;
    private final String ownCluster;
    private final MeshListener listener;
    private final RemoteClusterOptions options;
    private final BiConsumer<String, String> onBadFile;
    private final ClusterRegistry registry = new ClusterRegistry();
    // Owned by the worker thread (or the caller of scan() in tests, with no worker running).
    private final Map<String, RemoteCluster> clusters = new HashMap<>();
    /** Set by close(), under its own monitor, which guards adding a cluster against a close in progress. */
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final Map<String, byte[]> contents = new HashMap<>();
    private final Map<String, ClusterStatus> badFiles = new HashMap<>();
    private final Worker poller;
    private volatile Published published = new Published(Map.of(), Map.of(), false, null);

    /** What readers see: replaced after every scan, never changed. */
    private record Published(Map<String, RemoteCluster> clusters, Map<String, ClusterStatus> badFiles,
            boolean scanned, String scanProblem) {
    }

    /**
     * @param ownCluster this node's cluster: its file is joined as local (non-shared services readable)
     * @param onBadFile called with (file name, reason) for every unusable file, once per change of the file
     */
    public ClusterDirectory(Path dir, String ownCluster, MeshListener listener, RemoteClusterOptions options,
            Duration pollInterval, BiConsumer<String, String> onBadFile) {
        this.dir = dir;
        this.ownCluster = ownCluster;
        this.listener = listener;
        this.options = options;
        this.onBadFile = onBadFile;
        // A scan that throws (it should not) is retried after a second rather than ending the polling.
        this.poller = Worker.builder("mesh-cluster-directory", full -> scan()).maxInterval(pollInterval)
                .backoff(dev.clustermesh.core.worker.Backoff.constant(Duration.ofSeconds(1))).build();
    }

    /** Scans now, then every poll interval. */
    public void start() {
        poller.start();
    }

    /**
     * Every configured cluster's status by name, bad files included (never connected, with the reason). Never
     * blocks: read from the last scan's published clusters and each cluster's own current status.
     */
    public Map<String, ClusterStatus> statuses() {
        Published p = published;
        Map<String, ClusterStatus> out = new TreeMap<>(p.badFiles());
        p.clusters().forEach((name, rc) -> out.put(name, rc.status()));
        return out;
    }

    /** The certificates each connected cluster's connection uses, by name (TLS files read at most once a second). */
    public Map<String, List<MeshCertificate>> certificates() {
        Map<String, List<MeshCertificate>> out = new TreeMap<>();
        published.clusters().forEach((name, rc) -> out.put(name, rc.certificates()));
        return out;
    }

    /**
     * True once the directory has been read and every cluster file in it is ready or has failed with a reason;
     * false before the first successful scan (an empty status map then means "not read yet", not "nothing to
     * join"), so a directory that cannot be listed keeps the agent and mesh-dns unready ({@link #scanProblem()}).
     */
    public boolean settled() {
        return published.scanned() && statuses().values().stream().allMatch(ClusterStatus::settled);
    }

    /** Why the directory could not be listed at the last scan, if it could not. */
    public Optional<String> scanProblem() {
        return Optional.ofNullable(published.scanProblem());
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
    public Set<String> watched() {
        return published.clusters().keySet();
    }

    /** One poll: connects, reconnects and disconnects what changed, then publishes. On the poller's thread. */
    void scan() {
        Map<String, byte[]> now;
        try {
            now = read();
        } catch (IOException e) {
            // A directory that cannot be read keeps what is connected; the next poll tries again.
            String problem = "cannot list the clusters directory " + dir + ": " + e.getMessage();
            onBadFile.accept(dir.toString(), problem);
            Published p = published;
            published = new Published(p.clusters(), p.badFiles(), p.scanned(), problem);
            return;
        }
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
        publish(true, null);
    }

    private void publish(boolean scanned, String problem) {
        published = new Published(Map.copyOf(clusters), Map.copyOf(badFiles), scanned, problem);
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
        if (poller.closed()) {
            return;
        }
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
                listener.statusChanged(failed);
            }
            return;
        }
        badFiles.remove(name);
        RemoteCluster old = clusters.remove(name);
        if (old != null) {
            old.close();
        }
        RemoteCluster rc = new RemoteCluster(config, name.equals(ownCluster), registry, listener, options);
        synchronized (shutdown) {
            if (shutdown.get()) {
                // close() gave up waiting for this scan and has closed the others: this one is never started.
                return;
            }
            clusters.put(name, rc);
            publish(published.scanned(), published.scanProblem());
        }
        rc.start();
    }

    private void remove(String name) {
        contents.remove(name);
        badFiles.remove(name);
        RemoteCluster rc = clusters.remove(name);
        if (rc != null) {
            publish(published.scanned(), published.scanProblem());
            rc.close();
        }
        listener.clusterRemoved(name);
    }

    private static ClusterStatus failedFile(String name, String reason) {
        return new ClusterStatus(name, 0, false, false, Set.of(), 0, 0, 0, reason, Optional.of(Instant.now()),
                Optional.empty(), Optional.empty(), Freshness.PENDING, "its config file is unusable", 0, 0);
    }

    /** Stops polling and closes every watcher, withdrawing their state. */
    @Override
    public void close() {
        poller.close();
        // The poller has stopped, or is stuck past its join in a cluster's close: from here a scan still running
        // adds no cluster (see load), and each cluster is closed once (RemoteCluster.close is idempotent).
        List<RemoteCluster> open;
        synchronized (shutdown) {
            shutdown.set(true);
            open = List.copyOf(published.clusters().values());
            published = new Published(Map.of(), Map.of(), published.scanned(), published.scanProblem());
        }
        open.forEach(RemoteCluster::close);
    }
}
