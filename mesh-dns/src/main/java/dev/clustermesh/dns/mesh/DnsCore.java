package dev.clustermesh.dns.mesh;

import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.remote.ClusterDirectory;
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
    private final MeshView view;
    private final ZoneBuilder builder;
    private final ClusterDirectory clusters;
    private volatile DnsServer server;

    /** Builds the core; nothing runs until {@link #start}. */
    public DnsCore(DnsSettings settings, MeshObserver observer) {
        this.settings = settings;
        ZoneBuilder[] late = new ZoneBuilder[1];
        this.view = new MeshView(() -> late[0].markDirty(), observer::event, observer::invalid);
        this.builder = new ZoneBuilder(settings.zone(), view, observer, settings.minRebuildInterval());
        late[0] = builder;
        this.clusters = new ClusterDirectory(settings.clustersDir(), settings.zone().localCluster(), view,
                settings.remote(), settings.pollInterval(), observer::badClusterFile);
    }

    /**
     * Starts the zone builder, binds the server on {@code group}, then connects to the clusters: names are
     * served (the apex at first) from the moment this returns.
     *
     * @throws IllegalStateException when the server cannot bind; nothing is left running then
     */
    public void start(EventLoopGroup group, DnsObserver observer) {
        builder.start();
        try {
            server = DnsServer.start(settings.server(), group, builder::zone, observer);
        } catch (RuntimeException e) {
            builder.close();
            throw e;
        }
        clusters.start();
    }

    public DnsSettings settings() {
        return settings;
    }

    /** The merged view of every joined cluster. */
    public MeshView view() {
        return view;
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
        return builder.zone().meshVersion() == view.version();
    }

    /** Every configured cluster's status, by name. */
    public Map<String, ClusterStatus> clusters() {
        return clusters.statuses();
    }

    /** True when every configured cluster is synced or has failed with a reason. */
    public boolean settled() {
        return clusters.settled();
    }

    /** True when the server listens and its event loops run a task within {@code timeout}. */
    public boolean responsive(Duration timeout) {
        DnsServer s = server;
        return s != null && s.responsive(timeout);
    }

    /** Stops serving, disconnects from every cluster and stops the builder. */
    @Override
    public void close() {
        DnsServer s = server;
        if (s != null) {
            s.close();
        }
        clusters.close();
        builder.close();
    }
}
