package dev.clustermesh.agent.mesh;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.policy.PolicyBook;
import dev.clustermesh.agent.policy.PolicyDatapath;
import dev.clustermesh.agent.policy.PolicySettings;
import dev.clustermesh.core.mesh.LatencyWindow;
import dev.clustermesh.core.mesh.MeshFollower;
import dev.clustermesh.core.mesh.MeshView;
import dev.clustermesh.core.mesh.Stage;
import dev.clustermesh.core.remote.ClusterStatus;
import java.util.Map;
import java.util.Optional;

/**
 * One agent: joins the clusters of its clusters directory, merges their state, and keeps the datapath equal to
 * the LB maps computed from it. Plain Java; the Quarkus application wraps one, tests may run several.
 */
public final class AgentCore implements AutoCloseable {
    private final AgentSettings settings;
    private final Datapath datapath;
    private final MeshFollower<Reconciler> follower;
    private final Reconciler reconciler;
    private final PolicyBook policy;

    /** Builds the agent with policy computed but not enforced; nothing runs until {@link #start()}. */
    public AgentCore(AgentSettings settings, Datapath datapath, AgentObserver observer) {
        this(settings, datapath, observer, new PolicyDatapath.Memory(), PolicySettings.DEFAULTS);
    }

    /** Builds the agent; nothing runs until {@link #start()}. */
    public AgentCore(AgentSettings settings, Datapath datapath, AgentObserver observer, PolicyDatapath policyDatapath,
            PolicySettings policySettings) {
        this.settings = settings;
        this.datapath = datapath;
        this.policy = new PolicyBook(settings.cluster().name(), policySettings.options(), policyDatapath,
                this::settledForPolicy, policySettings.syncWait(), policySettings.strict());
        this.follower = new MeshFollower<>(new MeshFollower.Settings(settings.clustersDir(),
                settings.cluster().name(), settings.pollInterval(), settings.remote()), observer,
                view -> new Reconciler(settings.cluster().name(), view, datapath, observer), policy);
        this.reconciler = follower.consumer();
    }

    /**
     * True once every configured cluster has synced its endpoints and identities (and this one its policies):
     * what the first policy program waits for, at most {@link PolicySettings#syncWait()}.
     */
    private boolean settledForPolicy() {
        MeshFollower<Reconciler> f = follower;
        return f != null && f.settled() && f.clusters().values().stream().allMatch(policy::listed);
    }

    /** This agent's network policy: what it last enforced. */
    public PolicyBook policy() {
        return policy;
    }

    /**
     * Starts the cluster connections, then the reconciler once every configured cluster has synced or failed
     * (at most twice the request timeout plus a poll interval later). Programming the datapath earlier would
     * withdraw what the previous agent left there for clusters not yet synced: a restart must not cut traffic.
     * Changes arriving meanwhile accumulate in the view.
     */
    public void start() {
        follower.startWatching();
        policy.start();
        follower.startWorkerWhenSettled(settings.remote().requestTimeout().multipliedBy(2).plus(settings.pollInterval()));
    }

    public AgentSettings settings() {
        return settings;
    }

    public MeshView view() {
        return follower.view();
    }

    public Datapath datapath() {
        return datapath;
    }

    /** The LB maps last applied to the datapath. */
    public LbMaps applied() {
        return reconciler.applied();
    }

    /** Services and backends in the LB maps: {@code [services, backends]}, without copying the maps. */
    public int[] lbSizes() {
        return reconciler.sizes();
    }

    /** True once the applied maps include every mesh change seen so far. */
    public boolean converged() {
        return reconciler.appliedVersion() == follower.view().version();
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

    /** True once the datapath has been programmed from the mesh at least once (the reconciler has started). */
    public boolean programmed() {
        return reconciler.appliedVersion() >= 0;
    }

    /**
     * The agent's readiness, for the health probe and the API alike: every configured cluster synced or failed with
     * a reason, and the datapath programmed from that state: for each synced cluster, at least up to the revision at
     * which it synced (an agent whose maps are still empty, or hold only part of a cluster, is not ready), and the
     * policy program caught up likewise ({@link PolicyBook#caughtUp()}).
     */
    public boolean ready() {
        if (!settled() || !programmed() || !policy.caughtUp()) {
            return false;
        }
        Map<String, MeshView.Convergence> c = follower.view().convergence();
        return follower.clusters().values().stream().allMatch(s -> s.syncedRevision() == 0
                || (c.containsKey(s.name()) && c.get(s.name()).programmed() >= s.syncedRevision()));
    }

    /** Per cluster: revision received and programmed, and the oldest change not yet applied. */
    public Map<String, MeshView.Convergence> convergence() {
        return follower.view().convergence();
    }

    /** Per cluster, where its changes spend their time on the way to this datapath (stages with samples). */
    public Map<String, Map<Stage, LatencyWindow.Summary>> propagation() {
        return follower.view().propagation();
    }

    /** Why the clusters directory could not be read at its last scan, if it could not. */
    public Optional<String> directoryProblem() {
        return follower.directoryProblem();
    }

    /** Disconnects from every cluster and stops; the datapath keeps what it has programmed. */
    @Override
    public void close() {
        // The follower stops the reconciler first: withdrawing the clusters must not program an empty datapath.
        // Policy first: withdrawing the clusters below reports every endpoint and policy as gone, which must
        // not be programmed (the table stays as it is for the next agent).
        policy.close();
        follower.close();
        datapath.close();
    }
}
