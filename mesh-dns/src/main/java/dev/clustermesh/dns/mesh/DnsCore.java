package dev.clustermesh.dns.mesh;

import dev.clustermesh.core.mesh.MeshFollower;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.dns.server.DnsObserver;
import dev.clustermesh.dns.server.DnsServer;
import dev.clustermesh.dns.zone.Zone;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Map;

/**
 * One mesh-dns: joins the clusters of its clusters directory, merges their state, keeps the zone computed from
 * it, and serves the zone over UDP and TCP on a borrowed event loop group. Plain Java; the Quarkus application
 * wraps one, tests may run several.
 */
public final class DnsCore implements AutoCloseable {
    private final DnsSettings settings;
    private final MeshFollower<ZoneBuilder> follower;
    private final ZoneBuilder builder;
    private volatile DnsServer server;

    /** Builds the core; nothing runs until {@link #start}. */
    public DnsCore(DnsSettings settings, MeshObserver observer) {
        this.settings = settings;
        this.follower = new MeshFollower<>(new MeshFollower.Settings(settings.clustersDir(),
                settings.zone().localCluster(), settings.pollInterval(), settings.remote()), observer,
                view -> new ZoneBuilder(settings.zone(), view, observer, settings.minRebuildInterval()));
        this.builder = follower.consumer();
    }

    /**
     * Starts the zone builder, binds the server on {@code group}, then connects to the clusters: names are
     * served (the apex at first) from the moment this returns.
     *
     * @throws IllegalStateException when the server cannot bind; nothing is left running then
     */
    public void start(EventLoopGroup group, DnsObserver observer) {
        follower.startWorker();
        try {
            server = DnsServer.start(settings.server(), group, builder::zone, observer);
        } catch (RuntimeException e) {
            follower.close();
            throw e;
        }
        follower.startWatching();
    }

    public DnsSettings settings() {
        return settings;
    }

    /** The merged view of every joined cluster. */
    public MeshView view() {
        return follower.view();
    }

    /** The zone being served. */
    public Zone zone() {
        return builder.zone();
    }

    /** The port the server listens on (UDP and TCP); -1 before {@link #start}. */
    public int port() {
        DnsServer s = server;
        return s == null ? -1 : s.port();
    }

    /** True once the zone includes every mesh change seen so far. */
    public boolean converged() {
        return builder.zone().meshVersion() == follower.view().version();
    }

    /** Every configured cluster's status, by name. */
    public Map<String, ClusterStatus> clusters() {
        return follower.clusters();
    }

    /** The certificates each cluster's connection relies on, by cluster name (TLS files read at most once a second). */
    public Map<String, java.util.List<dev.clustermesh.core.tls.MeshCertificate>> certificates() {
        return follower.certificates();
    }

    /** True when every configured cluster is synced or has failed with a reason. */
    public boolean settled() {
        return follower.settled();
    }

    /** True when the server listens and its event loops run a task within {@code timeout}. */
    public boolean responsive(Duration timeout) {
        DnsServer s = server;
        return s != null && s.responsive(timeout);
    }

    /** Stops serving, stops the builder and disconnects from every cluster. */
    @Override
    public void close() {
        DnsServer s = server;
        if (s != null) {
            s.close();
        }
        follower.close();
    }
}
