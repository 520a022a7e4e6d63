package dev.clustermesh.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.keys.PolicyKind;
import dev.clustermesh.core.policy.EndpointProgram;
import dev.clustermesh.core.policy.Identities;
import dev.clustermesh.core.policy.PolicyOptions;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.testing.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agent's policy book: events in, one program out; bad input named and left out; the first program waits. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PolicyBookTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ALLOW_B_TO_A = """
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow-b","namespace":"x"},
             "spec":{"podSelector":{"matchLabels":{"pod":"a"}},
                     "ingress":[{"from":[{"podSelector":{"matchLabels":{"pod":"b","io.cilium.k8s.policy.cluster":"c2"}}}]}]}}
            """;

    private final PolicyDatapath.Memory datapath = new PolicyDatapath.Memory();
    private final AtomicBoolean settled = new AtomicBoolean(true);
    private PolicyBook book;

    @AfterEach
    void close() {
        if (book != null) {
            book.close();
        }
    }

    @Test
    void aPolicyIsolatesItsPodAndAllowsTheRemotePeerItNames() {
        book = start(Duration.ofSeconds(60));
        book.configChanged("c1", ClusterConfig.newBuilder().setName("c1").setId(1).addPodCidrs("10.1.0.0/16").build());
        book.configChanged("c2", ClusterConfig.newBuilder().setName("c2").setId(2).addPodCidrs("10.2.0.0/16").build());
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        book.endpointChanged("c2", "10.2.1.2", pod("c2", 2, "x", "b", "10.2.1.2"));
        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), ALLOW_B_TO_A);
        Eventually.await(WAIT, () -> {
            EndpointProgram a = datapath.last().endpoints().get(0);
            assertThat(a.ingress().enforced()).isTrue();
            assertThat(a.ingress().allows()).hasSize(1);
            assertThat(a.ingress().decide(Identities.of(2, 256), ip("10.2.1.2"), dev.clustermesh.core.policy.Protocol.TCP,
                    80).allowed()).isTrue();
            // The book records what it applied just after the datapath took it.
            assertThat(book.state().policies().applied()).hasSize(1);
        });
        assertThat(book.state().problems()).isEmpty();

        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), null);
        Eventually.await(WAIT, () -> assertThat(datapath.last().endpoints().get(0).ingress().enforced()).isFalse());
    }

    @Test
    void remotePodsOfAKnownIdentityComeAndGoAsAddressesOnlyAndANewIdentityRecompiles() {
        book = start(Duration.ofSeconds(60));
        book.configChanged("c1", ClusterConfig.newBuilder().setName("c1").setId(1).addPodCidrs("10.1.0.0/16").build());
        book.configChanged("c2", ClusterConfig.newBuilder().setName("c2").setId(2).addPodCidrs("10.2.0.0/16").build());
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        book.endpointChanged("c2", "10.2.1.2", pod("c2", 2, "x", "b", "10.2.1.2"));
        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), ALLOW_B_TO_A);
        Eventually.await(WAIT, () -> assertThat(book.state().policies().applied()).hasSize(1));
        long programs = datapath.programs();

        // A second replica of b in c2: same labels, same identity.
        book.endpointChanged("c2", "10.2.1.3", pod("c2", 2, "x", "b", "10.2.1.3"));
        // The datapath records the program, then counts it: wait for both.
        Eventually.await(WAIT, () -> {
            assertThat(allowed("10.2.1.3")).isTrue();
            assertThat(datapath.addressChanges()).isEqualTo(1);
        });
        assertThat(datapath.programs()).isEqualTo(programs);

        // It goes: its address is unknown again, still without a compile.
        book.endpointChanged("c2", "10.2.1.3", null);
        Eventually.await(WAIT, () -> {
            assertThat(datapath.last().ipIdentities()).doesNotContainKey(ip("10.2.1.3"));
            assertThat(datapath.addressChanges()).isEqualTo(2);
        });
        assertThat(allowed("10.2.1.3")).isFalse();
        assertThat(datapath.programs()).isEqualTo(programs);

        // A pod with labels no known identity has: compiled in full, and selected by nothing here.
        book.endpointChanged("c2", "10.2.1.4", pod("c2", 2, "x", "c", "10.2.1.4").toBuilder()
                .setIdentity(Identities.of(2, 257)).build());
        Eventually.await(WAIT, () -> {
            assertThat(datapath.programs()).isEqualTo(programs + 1);
            assertThat(datapath.last().ipIdentities()).containsEntry(ip("10.2.1.4"), Identities.of(2, 257));
        });
        assertThat(allowed("10.2.1.4")).isFalse();

        // A pod of this cluster changes its own chains: compiled in full too.
        book.endpointChanged("c1", "10.1.1.5", pod("c1", 1, "x", "b", "10.1.1.5"));
        Eventually.await(WAIT, () -> assertThat(datapath.programs()).isEqualTo(programs + 2));
        assertThat(book.state().problems()).isEmpty();
    }

    private boolean allowed(String from) {
        EndpointProgram a = datapath.last().endpoint(ip("10.1.1.1")).orElseThrow();
        return a.ingress().decide(datapath.last().identityOf(ip(from)), ip(from),
                dev.clustermesh.core.policy.Protocol.TCP, 80).allowed();
    }

    @Test
    void strictModeAsksTheDatapathToCutDeniedConnectionsAfterEachCompiledProgramOnly() {
        book = new PolicyBook("c1", PolicyOptions.DEFAULTS, datapath, settled::get, Duration.ofSeconds(60), true);
        book.start();
        book.configChanged("c1", ClusterConfig.newBuilder().setName("c1").setId(1).addPodCidrs("10.1.0.0/16").build());
        book.configChanged("c2", ClusterConfig.newBuilder().setName("c2").setId(2).addPodCidrs("10.2.0.0/16").build());
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        book.endpointChanged("c2", "10.2.1.2", pod("c2", 2, "x", "b", "10.2.1.2"));
        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), ALLOW_B_TO_A);
        Eventually.await(WAIT, () -> {
            assertThat(book.state().policies().applied()).hasSize(1);
            assertThat(datapath.cuts()).isPositive().isEqualTo(datapath.programs());
        });
        long cuts = datapath.cuts();
        book.endpointChanged("c2", "10.2.1.3", pod("c2", 2, "x", "b", "10.2.1.3"));
        Eventually.await(WAIT, () -> assertThat(datapath.addressChanges()).isEqualTo(1));
        assertThat(datapath.cuts()).as("an address move cuts nothing").isEqualTo(cuts);
    }

    @Test
    void theDefaultKeepsEstablishedConnections() {
        book = start(Duration.ofSeconds(60));
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), ALLOW_B_TO_A);
        Eventually.await(WAIT, () -> assertThat(book.state().policies().applied()).hasSize(1));
        assertThat(datapath.cuts()).isZero();
    }

    @Test
    void aPolicyThatIsNotJsonIsNamedAndTheOthersStillApply() {
        book = start(Duration.ofSeconds(60));
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        book.policyChanged("c1", policyKey("c1", "x", "broken"), "{not json: [");
        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), ALLOW_B_TO_A);
        book.policyChanged("c1", policyKey("c1", "x", "l7"), """
                {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"l7","namespace":"x"},
                 "spec":{"endpointSelector":{},"ingress":[{"toPorts":[{"ports":[{"port":"80"}],
                         "rules":{"http":[{"method":"GET"}]}}]}]}}
                """);
        Eventually.await(WAIT, () -> assertThat(book.state().policies().statuses()).hasSize(2));
        assertThat(book.state().problems()).singleElement().asString().contains("broken", "not valid JSON");
        assertThat(book.state().policies().applied()).singleElement()
                .satisfies(p -> assertThat(p.toString()).contains("allow-b"));
        assertThat(book.state().policies().warnings()).isNotEmpty()
                .allSatisfy(w -> assertThat(w.toString()).contains("l7"));
        assertThat(datapath.last().endpoints().get(0).ingress().enforced()).isTrue();
    }

    @Test
    void anEndpointWithoutIdentityIsNamedAndSelectedByNothing() {
        book = start(Duration.ofSeconds(60));
        book.endpointChanged("c1", "10.1.1.9", pod("c1", 1, "x", "a", "10.1.1.9").toBuilder().setIdentity(0).build());
        Eventually.await(WAIT, () -> assertThat(book.state().problems()).singleElement().asString()
                .contains("c1/10.1.1.9", "no identity"));
        assertThat(datapath.last().endpoints()).isEmpty();
    }

    @Test
    void aRemoteWithAnotherIdentityLabelFilterIsRefusedByName() {
        book = start(Duration.ofSeconds(60));
        book.configChanged("c1", config("c1", 1, "10.1.0.0/16", "aaaa"));
        book.configChanged("c2", config("c2", 2, "10.2.0.0/16", "bbbb"));
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        book.endpointChanged("c2", "10.2.1.2", pod("c2", 2, "x", "b", "10.2.1.2"));
        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), ALLOW_B_TO_A);
        // The worker may run between the events: wait for the program with all of them.
        Eventually.await(WAIT, () -> {
            assertThat(book.state().problems()).singleElement().asString()
                    .contains("cluster c2", "identity label filter differs");
            assertThat(book.state().policies().applied()).hasSize(1);
            assertThat(datapath.last().endpoints()).hasSize(1);
        });
        assertThat(datapath.last().ipIdentities()).as("c2's pod is unknown to policy")
                .doesNotContainKey(ip("10.2.1.2"));
        assertThat(datapath.last().endpoints().get(0).ingress().decide(Identities.of(2, 256), ip("10.2.1.2"),
                dev.clustermesh.core.policy.Protocol.TCP, 80).allowed()).isFalse();

        book.configChanged("c2", config("c2", 2, "10.2.0.0/16", "aaaa"));
        Eventually.await(WAIT, () -> {
            // The datapath has the program before the book's state does: both are awaited.
            assertThat(datapath.last().ipIdentities()).containsKey(ip("10.2.1.2"));
            assertThat(book.state().problems()).isEmpty();
        });
    }

    @Test
    void statusesAfterTheFirstProgramApplyNothingAndTheIdleWorkerLetsTheDatapathKeepHouse() {
        java.util.concurrent.atomic.AtomicInteger applies = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger idle = new java.util.concurrent.atomic.AtomicInteger();
        PolicyDatapath counting = new PolicyDatapath() {
            @Override
            public void apply(PolicyProgram program, boolean fullSync) {
                applies.incrementAndGet();
            }

            @Override
            public void idle() {
                idle.incrementAndGet();
            }
        };
        book = new PolicyBook("c1", PolicyOptions.DEFAULTS, counting, settled::get, Duration.ofSeconds(60));
        // Before the start, so that the worker's first run sees it (else that run and the config's make two applies).
        book.configChanged("c1", config("c1", 1, "10.1.0.0/16", ""));
        book.start();
        Eventually.await(WAIT, () -> assertThat(applies.get()).isEqualTo(1));
        Instant session = Instant.parse("2026-12-07T00:00:00Z");
        for (long revision = 1; revision <= 20; revision++) {
            // A status follows every watch response of a cluster.
            book.statusChanged(synced("c2", revision, session, ResourceKind.ENDPOINTS, ResourceKind.IDENTITIES));
        }
        // At its polls (once a second) the worker has nothing left to apply: two idle calls after the statuses mean
        // a whole run began after the last of them.
        int before = idle.get();
        Eventually.await(WAIT, () -> assertThat(idle.get()).isGreaterThan(before + 1));
        assertThat(applies.get()).isEqualTo(1);
    }

    @Test
    void theFirstProgramWaitsUntilTheMeshHasSettled() {
        settled.set(false);
        book = start(Duration.ofSeconds(60));
        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        // The worker re-checks every second: three checks pass while the mesh has not settled.
        long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
        while (System.nanoTime() < until) {
            assertThat(book.programmed()).as("programmed before the clusters settled").isFalse();
            Thread.onSpinWait();
        }
        settled.set(true);
        Eventually.await(WAIT, () -> assertThat(book.programmed()).isTrue());
        assertThat(datapath.last().endpoints()).hasSize(1);
    }

    @Test
    void theFirstProgramStopsWaitingAfterTheSyncWait() {
        settled.set(false);
        book = start(Duration.ofMillis(200));
        Eventually.await(WAIT, () -> assertThat(book.programmed()).isTrue());
    }

    /**
     * Issue 14's ready = converged, for policy: caught up only once the program enforced holds what each cluster had
     * listed when its session synced; later changes do not take that back (readiness does not flap under churn), a
     * new session of a cluster does until its list is enforced (also one that follows the last without a status in
     * between, as after its connection file was edited), and a failing apply keeps it behind. While the first
     * program waits for clusters that have not listed their pods, it does not hold readiness back.
     */
    @Test
    void caughtUpFollowsWhatEachSyncedClusterHadListedAndNotLaterChanges() {
        settled.set(false);
        GatedPolicyDatapath gated = new GatedPolicyDatapath();
        book = new PolicyBook("c1", PolicyOptions.DEFAULTS, gated, settled::get, Duration.ofSeconds(60));
        book.start();
        assertThat(book.caughtUp()).as("the first program waits for the mesh: nothing is owed yet").isTrue();

        book.endpointChanged("c1", "10.1.1.1", pod("c1", 1, "x", "a", "10.1.1.1"));
        book.policyChanged("c1", policyKey("c1", "x", "allow-b"), ALLOW_B_TO_A);
        Instant t0 = Instant.parse("2026-12-07T06:00:00Z");
        book.statusChanged(synced("c1", 7, t0, ResourceKind.ENDPOINTS, ResourceKind.IDENTITIES, ResourceKind.POLICIES));
        book.endpointChanged("c2", "10.2.1.2", pod("c2", 2, "x", "b", "10.2.1.2"));
        book.statusChanged(synced("c2", 9, t0, ResourceKind.ENDPOINTS, ResourceKind.IDENTITIES));
        gated.failing = true;
        settled.set(true);
        Eventually.await(WAIT, () -> assertThat(book.state().lastFailure()).isPresent());
        assertThat(book.caughtUp()).as("due, and its apply fails").isFalse();

        gated.failing = false;
        Eventually.await(WAIT, () -> assertThat(book.caughtUp()).isTrue());
        assertThat(gated.last().ipIdentities()).containsKeys(ip("10.1.1.1"), ip("10.2.1.2"));

        // A change after the syncs, not applied yet: still caught up, as the LB maps' readiness.
        gated.failing = true;
        book.endpointChanged("c2", "10.2.1.3", pod("c2", 2, "x", "b", "10.2.1.3"));
        assertThat(book.caughtUp()).isTrue();

        // c2 in a new session: its list is owed again until the program holds it.
        book.statusChanged(synced("c2", 0, null));
        book.endpointChanged("c2", "10.2.1.4", pod("c2", 2, "x", "b", "10.2.1.4"));
        Instant t1 = t0.plusSeconds(60);
        book.statusChanged(synced("c2", 12, t1, ResourceKind.ENDPOINTS, ResourceKind.IDENTITIES));
        assertThat(book.caughtUp()).as("c2's new list is not enforced").isFalse();
        gated.failing = false;
        Eventually.await(WAIT, () -> assertThat(book.caughtUp()).isTrue());
        assertThat(gated.last().ipIdentities()).containsKey(ip("10.2.1.4"));

        // Another session of c1 straight after the last one (a new connection, the same revision): owed again.
        gated.failing = true;
        book.endpointChanged("c1", "10.1.1.5", pod("c1", 1, "x", "a", "10.1.1.5"));
        book.statusChanged(synced("c1", 7, t1, ResourceKind.ENDPOINTS, ResourceKind.IDENTITIES, ResourceKind.POLICIES));
        assertThat(book.caughtUp()).as("c1's new session's list is not enforced").isFalse();
        gated.failing = false;
        Eventually.await(WAIT, () -> assertThat(book.caughtUp()).isTrue());
        assertThat(gated.last().ipIdentities()).containsKey(ip("10.1.1.5"));
    }

    /**
     * A cluster's status as its session (begun at {@code session}, null: none) reports it: synced at {@code revision}
     * (0: not synced) with these kinds.
     */
    private static ClusterStatus synced(String name, long revision, Instant session, ResourceKind... kinds) {
        return new ClusterStatus(name, name.equals("c1") ? 1 : 2, session != null, revision != 0, Set.of(kinds), 0, 0,
                0, "", Optional.empty(), Optional.ofNullable(session), Optional.empty(), Freshness.FRESH, "", revision,
                revision);
    }

    /** Remembers what it applies, or refuses every apply while {@link #failing}. */
    private static final class GatedPolicyDatapath implements PolicyDatapath {
        private final PolicyDatapath.Memory memory = new PolicyDatapath.Memory();
        volatile boolean failing;

        @Override
        public void apply(PolicyProgram program, boolean fullSync) {
            if (failing) {
                throw new IllegalStateException("policy datapath refuses changes (test)");
            }
            memory.apply(program, fullSync);
        }

        PolicyProgram last() {
            return memory.last();
        }
    }

    private PolicyBook start(Duration syncWait) {
        PolicyBook b = new PolicyBook("c1", PolicyOptions.DEFAULTS, datapath, settled::get, syncWait);
        b.start();
        return b;
    }

    private static ClusterConfig config(String name, int id, String podCidr, String filterDigest) {
        return ClusterConfig.newBuilder().setName(name).setId(id).addPodCidrs(podCidr).setIdentityLabelFilter(
                dev.clustermesh.proto.mesh.v1.IdentityLabelFilter.newBuilder().setDigest(filterDigest)).build();
    }

    private static MeshKey.Policy policyKey(String cluster, String ns, String name) {
        return new MeshKey.Policy(cluster, PolicyKind.NETWORK_POLICY, ns, name);
    }

    private static Endpoint pod(String cluster, int clusterId, String ns, String pod, String ip) {
        return Endpoint.newBuilder().setCluster(cluster).setNamespace(ns).setPod(pod).setIp(ip)
                .putAllLabels(Map.of("pod", pod)).putNamespaceLabels("ns", ns)
                .setIdentity(Identities.of(clusterId, 256)).build();
    }

    private static java.net.InetAddress ip(String text) {
        return dev.clustermesh.core.net.IpAddresses.parse(text).orElseThrow();
    }
}
