package dev.clustermesh.core.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.ResourceKind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The freshness clock on a clock of its own: stale after 30 s, withdrawn after 5 minutes unreachable. */
class LivenessTest {
    private static final long S = 1_000_000_000L;
    private static final Set<ResourceKind> ALL_SYNCED = Set.of();
    private final Liveness l = new Liveness(Duration.ofSeconds(30), Duration.ofMinutes(5), 0);

    @Test
    void pendingUntilListedThenFreshWhileHeartbeatsKeepChanging() {
        assertThat(l.state(10 * S, ALL_SYNCED)).isEqualTo(Freshness.PENDING);
        l.heartbeat(1000, 0, 10 * S);
        l.listed(10 * S);
        assertThat(l.state(39 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
        assertThat(l.reason(39 * S, ALL_SYNCED)).isEmpty();
        l.heartbeat(11_000, 0, 20 * S);
        assertThat(l.state(50 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
        // The same value again is no sign of life: only a change counts.
        l.heartbeat(11_000, 0, 45 * S);
        assertThat(l.state(51 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        assertThat(l.reason(51 * S, ALL_SYNCED)).isEqualTo("no new heartbeat for more than 30s");
        // Connected to a proxy whose heartbeat stopped: withdrawn after the TTL all the same.
        assertThat(l.state(319 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        assertThat(l.state(320 * S, ALL_SYNCED)).isEqualTo(Freshness.REVOKED);
        l.withdrawn();
        assertThat(l.reason(320 * S, ALL_SYNCED)).isEqualTo("no new heartbeat for more than 300s: state withdrawn");
        assertThat(l.resumed(400 * S)).isFalse();
        l.heartbeat(12_000, 0, 3600 * S);
        assertThat(l.resumed(3600 * S)).as("the heartbeat changed: list again").isTrue();
        assertThat(l.listed(3601 * S)).isTrue();
        assertThat(l.state(3601 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
    }

    @Test
    void aListWhoseHeartbeatHasBeenSilentForTheTtlHoldsNothing() {
        l.heartbeat(1000, 0, 0);
        assertThat(l.listed(0)).isTrue();
        l.disconnected(10 * S);
        // Back after 10 minutes to the same heartbeat: the exporter is gone, the proxy answers from its etcd.
        l.heartbeat(1000, 0, 600 * S);
        assertThat(l.listed(600 * S)).isFalse();
        assertThat(l.holding()).isFalse();
        assertThat(l.state(601 * S, ALL_SYNCED)).isEqualTo(Freshness.REVOKED);
    }

    @Test
    void aShortDisconnectionStaysFreshALongOneGoesStaleThenRevoked() {
        l.listed(0);
        l.disconnected(100 * S);
        assertThat(l.state(129 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
        assertThat(l.state(131 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        assertThat(l.reason(131 * S, ALL_SYNCED)).isEqualTo("unreachable for more than 30s");
        assertThat(l.untilRevoked(131 * S)).isEqualTo(269 * S);
        assertThat(l.state(400 * S, ALL_SYNCED)).isEqualTo(Freshness.REVOKED);
        l.withdrawn();
        assertThat(l.state(500 * S, ALL_SYNCED)).isEqualTo(Freshness.REVOKED);
        assertThat(l.reason(500 * S, ALL_SYNCED)).isEqualTo("unreachable for more than 300s: state withdrawn");
        l.listed(600 * S);
        assertThat(l.state(601 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
    }

    @Test
    void theTtlCountsFromTheLastHeartbeatWhenItStoppedBeforeTheConnection() {
        l.heartbeat(1000, 0, 0);
        l.listed(0);
        l.disconnected(200 * S);
        assertThat(l.state(250 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        assertThat(l.state(300 * S, ALL_SYNCED)).isEqualTo(Freshness.REVOKED);
    }

    @Test
    void missingCanariesAndTheGuardKeepItStaleUntilResolved() {
        l.listed(0);
        assertThat(l.state(S, EnumSet.of(ResourceKind.NODES))).isEqualTo(Freshness.STALE);
        assertThat(l.reason(S, EnumSet.of(ResourceKind.NODES))).isEqualTo("sync canaries not seen: nodes");

        l.guard(EnumSet.of(ResourceKind.SERVICES, ResourceKind.ENDPOINTS), 10 * S);
        l.listed(10 * S);
        assertThat(l.state(11 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        assertThat(l.reason(11 * S, ALL_SYNCED)).isEqualTo("the re-list lacked the sync canaries of services, "
                + "endpoints: holding the state from before until they arrive");
        l.unguard(ResourceKind.SERVICES);
        assertThat(l.guarded(ResourceKind.ENDPOINTS)).isTrue();
        assertThat(l.guardExpired(309 * S)).isFalse();
        assertThat(l.guardExpired(310 * S)).isTrue();
        assertThat(l.releaseGuard()).containsExactly(ResourceKind.ENDPOINTS);
        assertThat(l.state(311 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
    }

    @Test
    void aWriterThatBeatsSlowerThanStaleAfterIsGivenThreeOfItsIntervals() {
        Liveness quick = new Liveness(Duration.ofSeconds(2), Duration.ofSeconds(5), 0);
        quick.heartbeat(1000, 10_000, 0);
        quick.listed(0);
        assertThat(quick.state(29 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
        assertThat(quick.state(31 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        quick.heartbeat(11_000, 10_000, 31 * S);
        quick.disconnected(32 * S);
        // Unreachable: stale-after and the TTL count from the disconnection, not from the last beat.
        assertThat(quick.state(33 * S, ALL_SYNCED)).isEqualTo(Freshness.FRESH);
        assertThat(quick.state(35 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        assertThat(quick.state(37 * S, ALL_SYNCED)).isEqualTo(Freshness.REVOKED);
    }

    @Test
    void withoutTtlNothingIsEverRevoked() {
        Liveness forever = new Liveness(Duration.ofSeconds(30), Duration.ZERO, 0);
        forever.listed(0);
        forever.disconnected(S);
        assertThat(forever.state(1_000_000 * S, ALL_SYNCED)).isEqualTo(Freshness.STALE);
        assertThat(forever.untilRevoked(2 * S)).isEqualTo(Long.MAX_VALUE);
    }
}
