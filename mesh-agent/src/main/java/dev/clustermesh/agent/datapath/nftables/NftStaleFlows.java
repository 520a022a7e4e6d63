package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The node's closed TCP connections' tracking entries that would send a new connection to a backend that has left a
 * frontend's slots, deleted with the {@code conntrack} tool (conntrack-tools). The table load-balances a
 * connection's first packet and conntrack keeps the rest on its backend; an entry in TIME_WAIT or CLOSE outlives
 * its connection, and a client whose source ports wrap within TIME_WAIT (two minutes; a busy client's do) sends a
 * SYN the kernel matches to it: the new connection follows the old entry's NAT to the old backend (found by
 * {@code GradedFailoverIT}: 1–2 of 300 new connections went to a cluster the table no longer selected).
 *
 * <p>A TCP frontend that lost a backend is watched for {@link #WATCH} (TIME_WAIT and some): right after the change
 * and then every {@link #EVERY}, a round lists the node's TCP connections once per family and deletes, by tuple and
 * state, each closed one of a watched frontend whose backend is not among its slots now, so that a connection that
 * was still open at the change is swept once it closes. Live flows are left alone, TCP and UDP: they stay on their
 * backend through slot changes, which happen also because a preferred cluster came back while the backend lives on.
 * Rounds run on a thread of their own: listing the node's connections costs time in proportion to them, which a
 * change's propagation must not wait for. A failure (no conntrack tool, say) is logged when it differs from the
 * last one; the table is right either way. Not covered: the first sync of an agent (it knows no earlier slots).
 */
final class NftStaleFlows implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NftStaleFlows.class);
    static final Duration WATCH = Duration.ofSeconds(130);
    static final Duration EVERY = Duration.ofSeconds(10);
    private static final Set<String> CLOSED = Set.of("TIME_WAIT", "CLOSE");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A TCP frontend's address and port, as conntrack shows the original destination. */
    record Frontend(InetAddress ip, int port) {
    }

    /** A backend address and port, as conntrack shows the reply's source. */
    record Backend(InetAddress ip, int port) {
    }

    /** A watched frontend: its slots' backends now, and until when (monotonic ns). */
    record Watched(Set<Backend> now, long until, String family) {
    }

    /** Runs a command in the node's namespace and returns its output; throws when it fails. */
    private final BiFunction<List<String>, Duration, String> run;
    /** Runs the rounds; null: only when {@link #round} is called (tests). */
    private final ScheduledExecutorService worker;
    private final Map<Frontend, Watched> watched = new HashMap<>();
    private boolean roundQueued;
    private volatile boolean closed;
    private String lastFailure = "";

    /** Deletes in {@code netns}, on a daemon thread of its own. */
    NftStaleFlows(NetworkNamespace netns) {
        this((cmd, timeout) -> netns.run(cmd, "", timeout), Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesh-agent-conntrack");
            t.setDaemon(true);
            return t;
        }));
    }

    /** With {@code run} for the commands and {@code worker} for the rounds (null: rounds only when called). */
    NftStaleFlows(BiFunction<List<String>, Duration, String> run, ScheduledExecutorService worker) {
        this.run = run;
        this.worker = worker;
        if (worker != null) {
            worker.scheduleWithFixedDelay(this::safeRound, EVERY.toNanos(), EVERY.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A frontend's slots changed from {@code before} (null: none known) to {@code after} (empty: the frontend is
     * gone): a TCP frontend that lost a backend is watched from now on.
     */
    synchronized void changed(NftFrontend before, Optional<NftFrontend> after, long now) {
        if (before == null || !before.protocol().equals("tcp")) {
            return;
        }
        Set<Backend> was = backends(before);
        Set<Backend> is = after.map(NftStaleFlows::backends).orElse(Set.of());
        Optional<InetAddress> ip = IpAddresses.parse(before.frontend().ip());
        if (ip.isEmpty()) {
            return;
        }
        Frontend key = new Frontend(ip.get(), before.frontend().port());
        String family = before.family() == NftFrontend.Family.V4 ? "ipv4" : "ipv6";
        if (!is.containsAll(was)) {
            watched.put(key, new Watched(is, now + WATCH.toNanos(), family));
        } else if (watched.containsKey(key)) {
            watched.put(key, new Watched(is, watched.get(key).until(), family)); // its slots now, watched as long
        }
    }

    private static Set<Backend> backends(NftFrontend f) {
        Set<Backend> out = new HashSet<>();
        for (NftFrontend.Target t : f.targets()) {
            IpAddresses.parse(t.ip()).ifPresent(ip -> out.add(new Backend(ip, t.port())));
        }
        return out;
    }

    /** Starts a round now, unless one is already queued; after a transaction that changed frontends. */
    void sweepSoon() {
        synchronized (this) {
            if (roundQueued || watched.isEmpty() || worker == null) {
                return;
            }
            roundQueued = true;
        }
        try {
            worker.execute(this::safeRound);
        } catch (RejectedExecutionException e) {
            // Closed: the datapath is stopping.
        }
    }

    /** A round on the worker: whatever goes wrong is logged, and the next rounds still run. */
    private void safeRound() {
        try {
            round(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("deleting the tracking entries of closed connections to backends that left their frontends", e);
        }
    }

    /**
     * One round: forgets frontends watched long enough, lists each family's TCP connections once, deletes the
     * closed ones of watched frontends to backends no longer in their slots.
     *
     * @return how many entries were deleted
     */
    int round(long now) {
        Map<Frontend, Watched> snapshot;
        synchronized (this) {
            roundQueued = false;
            watched.values().removeIf(w -> now - w.until() >= 0);
            snapshot = Map.copyOf(watched);
        }
        Set<String> families = new TreeSet<>();
        snapshot.values().forEach(w -> families.add(w.family()));
        int deleted = 0;
        for (String family : families) {
            if (closed) {
                break;
            }
            try {
                String listing = run.apply(List.of("conntrack", "-L", "-f", family, "-p", "tcp"), TIMEOUT);
                deleted += delete(family, listing, snapshot);
                lastFailure = "";
            } catch (RuntimeException e) {
                String why = "cannot delete the tracking entries of closed connections to backends that left their "
                        + "frontends (conntrack-tools: apt-get install -y conntrack): " + e.getMessage();
                if (!closed && !why.equals(lastFailure)) {
                    LOG.warn(why);
                }
                lastFailure = why;
            }
        }
        if (deleted > 0) {
            LOG.debugf("deleted %d tracking entries of closed connections to backends that left their frontends",
                    deleted);
        }
        return deleted;
    }

    private int delete(String family, String listing, Map<Frontend, Watched> snapshot) {
        int deleted = 0;
        for (NftConntrack.Flow flow : NftConntrack.parse(listing)) {
            Optional<List<String>> args = match(flow, snapshot);
            if (args.isEmpty() || closed) {
                continue;
            }
            List<String> cmd = new ArrayList<>(List.of("conntrack", "-D", "-f", family));
            cmd.addAll(args.get());
            try {
                run.apply(cmd, TIMEOUT);
                deleted++;
            } catch (RuntimeException e) {
                // Gone meanwhile, or reopened by a new connection (no longer in that state): conntrack exits 1.
            }
        }
        return deleted;
    }

    /**
     * The {@code conntrack -D} arguments that name {@code flow}'s entry exactly (its original tuple and its state),
     * when it is one to delete: TCP in TIME_WAIT or CLOSE, its original destination a watched frontend, its reply's
     * source a backend not in that frontend's slots now.
     */
    static Optional<List<String>> match(NftConntrack.Flow flow, Map<Frontend, Watched> watched) {
        Watched w = watched.get(new Frontend(flow.destination(), flow.destinationPort()));
        if (flow.protocol() != Protocol.TCP || !CLOSED.contains(flow.state()) || w == null
                || w.now().contains(new Backend(flow.server(), flow.port()))) {
            return Optional.empty();
        }
        List<String> args = new ArrayList<>(flow.deleteArgs());
        args.addAll(List.of("--state", flow.state()));
        return Optional.of(args);
    }

    @Override
    public void close() {
        closed = true;
        if (worker != null) {
            worker.shutdownNow();
            try {
                worker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
