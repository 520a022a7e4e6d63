package dev.clustermesh.agent.policy;

import static dev.clustermesh.agent.policy.PolicyInputs.abbreviate;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.core.policy.MeshEndpoints;
import dev.clustermesh.core.policy.PolicyCompiler;
import dev.clustermesh.core.policy.PolicyEndpoint;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.PolicySet;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.MeshListener;
import dev.clustermesh.core.worker.Worker;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The agent's policy state and its worker: every endpoint of the mesh and this cluster's policies, as the clusters
 * report them, compiled into one program and handed to the {@link PolicyDatapath} after each change (coalesced by
 * the worker; a failed apply is retried with a full sync after a backoff).
 *
 * <p>The first program waits until every configured cluster has listed its endpoints and identities (an unreachable
 * or misconfigured one too, as Cilium waits for its remote clusters), or {@code syncWait} has passed: a pod of a
 * cluster not yet listed would otherwise be "unknown" to policy and its allowed connections refused at start-up.
 * An endpoint without identity, a policy that is not a JSON object and a policy the parser refuses are left out,
 * each named in {@link #state()}; nothing else is affected.
 *
 * <p>{@link #caughtUp()} tells readiness whether the program enforced holds what each cluster had listed when its
 * current session synced (see there).
 */
public final class PolicyBook implements MeshListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PolicyBook.class.getName());

    private final String cluster;
    private final boolean strict;
    private final PolicyOptions options;
    private final PolicyDatapath datapath;
    private final BooleanSupplier settled;
    private final long startBy;
    private final Worker worker;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<String, Map<String, Endpoint>> endpoints = new HashMap<>();
    private final Map<String, String> policies = new TreeMap<>();
    private final Map<String, List<Cidr>> podCidrs = new TreeMap<>();
    /** Per cluster, the digest of its identity label filter ({@code ""} when it announces none). */
    private final Map<String, String> filters = new TreeMap<>();
    /** Endpoint changes since the last program, for the cheap path ({@link AddressDelta}). */
    private final AddressDelta changes = new AddressDelta();
    /** Something besides endpoints changed since the last program: the next one is compiled in full. */
    private boolean structural = true;
    private long version;
    /** Per cluster, the input version once its current session had synced what policy reads from it. */
    private final SyncedSessions sessions;
    // Worker thread only.
    private AddressDelta.Basis basis;
    private volatile State state = State.NONE;

    /**
     * What was last applied, for the API, metrics and {@code meshctl}.
     *
     * @param version the input version it was compiled from, -1 before the first apply
     * @param program the program enforced
     * @param policies this cluster's policies with their state and warnings
     * @param problems inputs left out: policies that are not JSON objects, endpoints without identity
     * @param appliedAt when it was applied
     * @param applyNanos how long compiling and applying took
     * @param lastFailure the last failed apply's reason, empty once an apply succeeded after it
     */
    public record State(long version, PolicyProgram program, PolicySet policies, List<String> problems,
                        Optional<Instant> appliedAt, long applyNanos, Optional<String> lastFailure) {
        static final State NONE = new State(-1, new PolicyProgram("", List.of(), Map.of(), List.of()),
                PolicySet.empty(""), List.of(), Optional.empty(), 0, Optional.empty());
    }

    /**
     * @param cluster this agent's cluster
     * @param options compile options ({@code mesh.policy.default-local-cluster})
     * @param datapath where programs are enforced
     * @param settled true once every configured cluster has listed its endpoints and identities
     * @param syncWait the longest the first program waits for {@code settled}
     */
    public PolicyBook(String cluster, PolicyOptions options, PolicyDatapath datapath, BooleanSupplier settled,
            Duration syncWait) {
        this(cluster, options, datapath, settled, syncWait, false);
    }

    /**
     * @param strict cut the established connections a new program denies after each full apply
     *     ({@code mesh.policy.strict}); by default they keep flowing
     */
    public PolicyBook(String cluster, PolicyOptions options, PolicyDatapath datapath, BooleanSupplier settled,
            Duration syncWait, boolean strict) {
        this.strict = strict;
        this.cluster = cluster;
        this.sessions = new SyncedSessions(cluster);
        this.options = options;
        this.datapath = datapath;
        this.settled = settled;
        this.startBy = System.nanoTime() + syncWait.toNanos();
        // No minimum interval: changes arriving while a run works are coalesced into the next one anyway, and a
        // pod's allow must not wait for a timer (its address moves in about a millisecond).
        this.worker = Worker.builder("mesh-policy", this::run)
                .maxInterval(Duration.ofSeconds(1)).build();
    }

    /** Starts the worker; the first program follows once the mesh has settled (see the class description). */
    public void start() {
        worker.start();
    }

    /** What was last applied. */
    public State state() {
        return state;
    }

    /** True once a program was applied. */
    public boolean programmed() {
        return state.version() >= 0;
    }

    /** True when {@code status}'s current session has synced everything policy reads from that cluster. */
    public boolean listed(ClusterStatus status) {
        return sessions.listed(status);
    }

    /**
     * What readiness asks of policy: true when the program enforced holds, for every cluster whose current session
     * has synced what policy reads from it, everything it had listed by then. Later changes do not hold readiness
     * back, as for the LB maps: an apply failing after that leaves it true until a cluster's new session lists
     * again. False from the moment every cluster has listed until the first program is applied (and while that
     * one fails). True before the first program while some cluster has not listed its pods (the first program waits
     * for it, at most {@code syncWait}, and is not owed until then): a remote cluster's trouble does not keep this
     * one's nodes unready, and the end of the wait does not make a ready agent unready for the time of its apply.
     */
    public boolean caughtUp() {
        State s = state;
        if (s.version() < 0) {
            return !settled.getAsBoolean();
        }
        synchronized (lock) {
            return sessions.heldBy(s.version());
        }
    }

    /** True while the first program waits for clusters to list their pods (see the class description). */
    private boolean waiting() {
        return state.version() < 0 && !settled.getAsBoolean() && System.nanoTime() - startBy < 0;
    }

    @Override
    public void endpointChanged(String from, String ip, Endpoint value) {
        synchronized (lock) {
            Map<String, Endpoint> of = endpoints.computeIfAbsent(from, k -> new HashMap<>());
            Endpoint before = value == null ? of.remove(ip) : of.put(ip, value);
            changes.record(from, ip, before, value);
            version++;
        }
        worker.wake();
    }

    @Override
    public void policyChanged(String from, MeshKey.Policy key, String json) {
        if (!from.equals(cluster)) {
            return;
        }
        synchronized (lock) {
            if (json == null) {
                policies.remove(key.key());
            } else {
                policies.put(key.key(), json);
            }
            structural = true;
            version++;
        }
        worker.wake();
    }

    /**
     * A cluster's pod CIDRs. Kept when its state is withdrawn ({@code null}): an address of a disconnected cluster
     * stays "unknown" rather than becoming "world", which CIDR rules could allow. Forgotten when the cluster is
     * removed from the directory.
     */
    @Override
    public void configChanged(String from, ClusterConfig value) {
        if (value == null) {
            return;
        }
        synchronized (lock) {
            podCidrs.put(from, value.getPodCidrsList().stream().map(Cidr::parse).flatMap(Optional::stream).toList());
            filters.put(from, value.getIdentityLabelFilter().getDigest());
            structural = true;
            version++;
        }
        worker.wake();
    }

    @Override
    public void clusterRemoved(String from) {
        synchronized (lock) {
            sessions.remove(from);
            podCidrs.remove(from);
            filters.remove(from);
            endpoints.remove(from);
            structural = true;
            version++;
        }
        worker.wake();
    }

    @Override
    public void serviceChanged(String from, MeshKey.Service key, ClusterService value) {
    }

    @Override
    public void nodeChanged(String from, String node, Node value) {
    }

    @Override
    public void statusChanged(ClusterStatus status) {
        // A cluster's events reach this book before the status that says its session has synced them.
        synchronized (lock) {
            sessions.status(status, version);
        }
        if (state.version() < 0) { // only the first program waits for statuses (one follows every watch response)
            worker.wake();
        }
    }

    /** Collects the inputs of a full compile (the caller holds the lock); drops clusters whose filter differs. */
    private void gather(Map<String, Map<String, Endpoint>> comparable, List<PolicyEndpoint> mesh, List<String> problems,
            List<Map<String, Object>> objects, List<Cidr> cidrs) {
        String ours = filters.getOrDefault(cluster, "");
        filters.forEach((c, digest) -> {
            if (!c.equals(cluster) && !ours.isEmpty() && !digest.isEmpty() && !digest.equals(ours)) {
                // Its identities stand for other label sets than ours: selectors would match the wrong pods.
                comparable.remove(c);
                problems.add("cluster " + c + ": identity label filter differs from " + cluster + "'s (digest "
                        + abbreviate(digest) + " vs " + abbreviate(ours) + "); its pods are unknown to policy");
            }
        });
        comparable.forEach((c, byIp) -> byIp.forEach((ip, e) -> Endpoints.of(c, e).ifPresentOrElse(mesh::add,
                () -> problems.add("endpoint " + c + "/" + ip + " (" + e.getNamespace() + "/" + e.getPod()
                        + "): no identity or a bad address; no policy selects it"))));
        policies.forEach((key, json) -> PolicyInputs.parse(key, json, problems).ifPresent(objects::add));
        podCidrs.values().forEach(cidrs::addAll);
    }

    private void run(boolean fullSync) {
        work(fullSync);
        synchronized (lock) {
            if (version != state.version()) {
                return;
            }
        }
        try {
            datapath.idle(); // nothing waits: the datapath's moment for its housekeeping
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "policy datapath housekeeping failed: {0}", e.getMessage());
        }
    }

    private void work(boolean fullSync) {
        if (waiting()) {
            return;
        }
        long v;
        List<PolicyEndpoint> mesh = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> objects = new ArrayList<>();
        List<Cidr> cidrs = new ArrayList<>();
        Optional<AddressDelta.Delta> delta;
        Map<String, Map<String, Endpoint>> comparable;
        synchronized (lock) {
            v = version;
            if (v == state.version() && !fullSync) {
                return;
            }
            delta = pendingDelta(fullSync);
            comparable = delta.isPresent() ? Map.of() : new HashMap<>(endpoints);
            if (delta.isEmpty()) {
                gather(comparable, mesh, problems, objects, cidrs);
            }
        }
        if (delta.isPresent()) {
            applyAddresses(v, delta.get());
            return;
        }
        long t0 = System.nanoTime();
        PolicySet set;
        PolicyProgram program;
        MeshEndpoints known = new MeshEndpoints(mesh, cidrs);
        basis = null;
        try {
            set = PolicySet.parse(cluster, objects);
            program = PolicyCompiler.compile(set, known, options);
            datapath.apply(program, fullSync);
        } catch (RuntimeException e) {
            throw failed(e);
        }
        if (strict) {
            cut(program);
        }
        basis = AddressDelta.Basis.of(known.identityLabels(), comparable.keySet(), set);
        state = new State(v, program, set, List.copyOf(problems), Optional.of(Instant.now()), System.nanoTime() - t0,
                Optional.empty());
    }

    /** The delta of the changes pending, or empty when the next program is compiled in full (lock held). */
    private Optional<AddressDelta.Delta> pendingDelta(boolean fullSync) {
        List<AddressDelta.Change> pending = changes.drain();
        boolean full = fullSync || structural || basis == null || state.version() < 0;
        structural = false;
        return full ? Optional.empty() : AddressDelta.of(pending, state.program(), basis, cluster,
                this::claimedElsewhere);
    }

    /** The cheap path: only addresses of known identities moved since the last program. */
    private void applyAddresses(long v, AddressDelta.Delta delta) {
        long t0 = System.nanoTime();
        if (!delta.removed().isEmpty() || !delta.added().isEmpty()) {
            try {
                datapath.applyAddresses(delta.program(), delta.removed(), delta.added());
            } catch (RuntimeException e) {
                throw failed(e);
            }
        }
        State s = state;
        state = new State(v, delta.program(), s.policies(), s.problems(), Optional.of(Instant.now()),
                System.nanoTime() - t0, Optional.empty());
    }

    /**
     * Strict mode: cuts what the program just applied denies. A failure is logged and the program stays; the
     * connections keep flowing until the next full apply tries again.
     */
    private void cut(PolicyProgram program) {
        try {
            int n = datapath.cutDenied(program);
            if (n > 0) {
                LOG.log(System.Logger.Level.INFO, "policy (strict): cut {0} established connections the new policies "
                        + "deny", n);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "policy (strict): cannot cut denied connections: {0}",
                    e.getMessage());
        }
    }

    /** Records a failed apply (the previous program stays) and returns the failure for the worker to retry. */
    private RuntimeException failed(RuntimeException e) {
        State s = state;
        state = new State(s.version(), s.program(), s.policies(), s.problems(), s.appliedAt(), s.applyNanos(),
                Optional.of(String.valueOf(e.getMessage())));
        return e;
    }

    /** Whether a cluster other than {@code from} has a pod at {@code ip} (the caller holds the lock). */
    private boolean claimedElsewhere(String from, String ip) {
        return endpoints.entrySet().stream().anyMatch(e -> !e.getKey().equals(from) && e.getValue().containsKey(ip));
    }

    /**
     * What policy knows now, for the API ({@code meshctl policy explain}, {@code meshctl endpoint list}): the mesh's
     * endpoints as this book holds them at this instant (copied under its lock, converted as the compile does) with
     * the policies of the last program and this book's options. Never waits for the worker; costs a copy of the
     * mesh's endpoints.
     */
    public PolicySnapshot snapshot() {
        Map<String, Map<String, Endpoint>> mesh = new HashMap<>();
        Map<String, String> labelFilters;
        List<Cidr> cidrs = new ArrayList<>();
        synchronized (lock) {
            endpoints.forEach((c, byIp) -> mesh.put(c, Map.copyOf(byIp)));
            labelFilters = Map.copyOf(filters);
            podCidrs.values().forEach(cidrs::addAll);
        }
        return PolicySnapshot.of(cluster, mesh, labelFilters, cidrs, state().policies(), options);
    }

    @Override
    public void close() {
        worker.close();
        datapath.close();
    }
}
