package dev.clustermesh.core.remote;

import dev.clustermesh.core.keys.ResourceKind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When one cluster was last heard from, and the {@link Freshness} that makes of the state its watcher holds.
 *
 * <p>Heard from means: connected (a session that has listed and still watches) and, when the cluster publishes a
 * heartbeat, a heartbeat whose value changed within {@code staleAfter}. Times are this process's monotonic clock
 * in nanoseconds: a heartbeat counts when its value is seen to change here, so a remote wall clock that is off
 * never makes a cluster fresh or stale. A cluster unheard of for the TTL is revoked (its state withdrawn), whether
 * unreachable or connected to a proxy whose heartbeat stopped (its exporter no longer keeps the state up to date);
 * a session listed while the heartbeat has been silent that long holds nothing until the heartbeat changes.
 *
 * <p>The withdrawal guard lives here too: kinds whose sync canary a re-list lacked (the exporter has not
 * re-exported yet, e.g. after its etcd restarted empty) keep their previous entries, and the cluster stays stale,
 * until the canary arrives or the TTL passes.
 *
 * <p>Not thread-safe: its {@link RemoteCluster}'s thread only.
 */
final class Liveness {
    private final long staleAfter;
    private final long ttl;
    private final long guardTtl;
    private boolean connected;
    /** Connected: when the session listed; disconnected: when the last session ended (or the watcher started). */
    private long since;
    private boolean heartbeatSeen;
    private long heartbeatValue;
    private long heartbeatAt;
    /** How long a heartbeat may stay unchanged: stale-after, or three of the writer's intervals when longer. */
    private long heartbeatLimit;
    /** Listed since the start or the last withdrawal. */
    private boolean holding;
    private boolean revoked;
    private final EnumSet<ResourceKind> guarded = EnumSet.noneOf(ResourceKind.class);
    private long guardedSince;

    Liveness(Duration staleAfter, Duration ttl, long now) {
        this(staleAfter, ttl, ttl, now);
    }

    /**
     * @param ttl how long the cluster may be unheard of before it is revoked (0: never)
     * @param guardTtl how long the guard may wait for its canaries (0: until they come); the TTL of the options
     *        even for the own cluster, which is never revoked
     */
    Liveness(Duration staleAfter, Duration ttl, Duration guardTtl, long now) {
        this.staleAfter = staleAfter.toNanos();
        this.ttl = ttl.toNanos();
        this.guardTtl = guardTtl.toNanos();
        this.since = now;
        this.heartbeatLimit = Math.max(this.staleAfter, 3 * DEFAULT_INTERVAL);
    }

    /** What a writer that does not publish its heartbeat interval is assumed to use (the exporter's default). */
    private static final long DEFAULT_INTERVAL = Duration.ofSeconds(10).toNanos();

    /**
     * A session listed the cluster (its heartbeat already applied). Its state is held from now on unless the
     * heartbeat has been silent for the TTL.
     *
     * @return whether the listed state is to be held
     */
    boolean listed(long now) {
        connected = true;
        since = now;
        holding = !silentForTtl(now);
        revoked = !holding;
        return holding;
    }

    /** True while connected, not holding (revoked), and the heartbeat changed since: time to list again. */
    boolean resumed(long now) {
        return connected && !holding && revoked && !silentForTtl(now);
    }

    private boolean silentForTtl(long now) {
        return ttl > 0 && heartbeatSeen && now - Math.min(now, silentFrom()) >= ttl;
    }

    private long silentFrom() {
        return heartbeatAt + (heartbeatLimit - staleAfter);
    }

    /** The session ended. */
    void disconnected(long now) {
        if (connected) {
            connected = false;
            since = now;
        }
    }

    /**
     * The cluster's heartbeat, as listed or watched: it counts as heard from only when its value changed.
     *
     * @param intervalMillis how often the writer refreshes it (0 when it does not say)
     */
    void heartbeat(long unixMillis, long intervalMillis, long now) {
        long interval = intervalMillis > 0 ? Duration.ofMillis(intervalMillis).toNanos() : DEFAULT_INTERVAL;
        heartbeatLimit = Math.max(staleAfter, 3 * interval);
        if (!heartbeatSeen || unixMillis != heartbeatValue) {
            heartbeatSeen = true;
            heartbeatValue = unixMillis;
            heartbeatAt = now;
        }
    }

    /** A re-list lacked these kinds' canaries while their stores still held entries from before. */
    void guard(Set<ResourceKind> kinds, long now) {
        if (guarded.isEmpty() && !kinds.isEmpty()) {
            guardedSince = now;
        }
        guarded.addAll(kinds);
    }

    /** {@code kind}'s canary arrived: its store has been swept. */
    void unguard(ResourceKind kind) {
        guarded.remove(kind);
    }

    boolean guarded(ResourceKind kind) {
        return guarded.contains(kind);
    }

    /** True when the guard has held longer than the TTL: its kinds' leftovers are to be dropped now. */
    boolean guardExpired(long now) {
        return !guarded.isEmpty() && guardTtl > 0 && now - guardedSince >= guardTtl;
    }

    /** The kinds guarded now, and the guard lifted. */
    Set<ResourceKind> releaseGuard() {
        Set<ResourceKind> out = EnumSet.noneOf(ResourceKind.class);
        out.addAll(guarded);
        guarded.clear();
        return out;
    }

    /** Its state was withdrawn. */
    void withdrawn() {
        holding = false;
        revoked = true;
        guarded.clear();
    }

    boolean holding() {
        return holding;
    }

    /**
     * The last moment the cluster was heard from: the connection (now while connected), or a heartbeat already
     * silent for longer than its writer's own pace allows, whichever is older.
     */
    private long lastHeard(long now) {
        long connection = connected ? now : since;
        if (!heartbeatSeen) {
            return connection;
        }
        // A heartbeat within its limit says nothing more than the connection; a silent one dates the silence
        // from its last change, shifted so that stale-after and the TTL apply to the time past the limit.
        return Math.min(connection, silentFrom());
    }

    /**
     * The freshness at {@code now}.
     *
     * @param missing kinds whose sync canary has not been seen in the current (or last) session
     */
    Freshness state(long now, Set<ResourceKind> missing) {
        if (!holding) {
            return revoked ? Freshness.REVOKED : Freshness.PENDING;
        }
        long silent = now - lastHeard(now);
        if (ttl > 0 && silent >= ttl) {
            return Freshness.REVOKED;
        }
        return silent > staleAfter || !guarded.isEmpty() || !missing.isEmpty() ? Freshness.STALE : Freshness.FRESH;
    }

    /** Why the state is what {@link #state} says, in words for an operator; empty when fresh. */
    String reason(long now, Set<ResourceKind> missing) {
        Freshness f = state(now, missing);
        if (f == Freshness.PENDING) {
            return "not listed yet";
        }
        if (f == Freshness.REVOKED) {
            return (byHeartbeat() ? "no new heartbeat for more than " + format(heartbeatLimit - staleAfter + ttl)
                    : "unreachable for more than " + format(ttl)) + ": state withdrawn";
        }
        if (f == Freshness.FRESH) {
            return "";
        }
        if (!guarded.isEmpty()) {
            return "the re-list lacked the sync canaries of " + names(guarded)
                    + ": holding the state from before until they arrive";
        }
        if (now - lastHeard(now) > staleAfter) {
            return byHeartbeat() ? "no new heartbeat for more than " + format(heartbeatLimit)
                    : "unreachable for more than " + format(staleAfter);
        }
        return "sync canaries not seen: " + names(missing);
    }

    /** Whether the silence is the heartbeat's: connected, or its heartbeat was already silent when it went away. */
    private boolean byHeartbeat() {
        return connected || (heartbeatSeen && silentFrom() + staleAfter < since);
    }

    /** Nanoseconds until a disconnected cluster is revoked; Long.MAX_VALUE when none is due. */
    long untilRevoked(long now) {
        if (connected || !holding || ttl == 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, ttl - (now - lastHeard(now)));
    }

    private static String names(Set<ResourceKind> kinds) {
        return kinds.stream().map(ResourceKind::segment).collect(Collectors.joining(", "));
    }

    private static String format(long nanos) {
        Duration d = Duration.ofNanos(nanos);
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
