package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.core.net.IpAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The node's closed TCP connections' tracking entries that would send a new connection to a backend that has left a
 * frontend's slots, deleted with the {@code conntrack} tool (conntrack-tools) once the table no longer selects it.
 * The table load-balances a connection's first packet and conntrack keeps the rest on its backend; an entry in
 * TIME_WAIT or CLOSE outlives its connection, and a client whose source ports wrap within TIME_WAIT (two minutes;
 * a busy client's do) sends a SYN the kernel matches to it: the new connection follows the old entry's NAT to the
 * old backend (found by {@code GradedFailoverIT}: 1–2 of 300 new connections went to a cluster the table no
 * longer selected). Live flows are left alone, TCP and UDP: they stay on their backend through slot changes, which
 * may have happened because a preferred cluster came back while the backend lives on. The work runs on a thread of
 * its own after the table's transaction, changes queued meanwhile in one round: listing the node's connections
 * costs time in proportion to them, which a change's propagation must not wait for. A failure (no conntrack tool,
 * say) is logged when it differs from the last one; the table is right either way.
 */
final class NftStaleFlows implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NftStaleFlows.class);
    private static final Set<String> CLOSED = Set.of("TIME_WAIT", "CLOSE");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A TCP backend that left a frontend's slots: the protocol as nft names it, the frontend's and its address. */
    record Gone(String protocol, InetAddress frontend, int frontendPort, InetAddress backend, int backendPort) {
        String family() {
            return frontend.getAddress().length == 4 ? "ipv4" : "ipv6";
        }
    }

    /** Runs a command in the node's namespace and returns its output; throws when it fails. */
    private final BiFunction<List<String>, Duration, String> run;
    private final ExecutorService worker;
    private final List<Gone> queued = new ArrayList<>();
    private String lastFailure = "";

    /** Deletes in {@code netns}, on a daemon thread of its own. */
    NftStaleFlows(NetworkNamespace netns) {
        this((cmd, timeout) -> netns.run(cmd, "", timeout), Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mesh-agent-conntrack");
            t.setDaemon(true);
            return t;
        }));
    }

    /** With {@code run} for the commands and {@code worker} for the rounds (tests run them in the caller). */
    NftStaleFlows(BiFunction<List<String>, Duration, String> run, ExecutorService worker) {
        this.run = run;
        this.worker = worker;
    }

    /**
     * The targets a TCP frontend's {@code before} held that {@code after} no longer holds (every one when the
     * frontend is gone); none for other protocols.
     */
    static List<Gone> gone(NftFrontend before, Optional<NftFrontend> after) {
        List<Gone> out = new ArrayList<>();
        if (before == null || !before.protocol().equals("tcp")) {
            return out;
        }
        Set<NftFrontend.Target> kept = after.map(a -> Set.copyOf(a.targets())).orElse(Set.of());
        Optional<InetAddress> frontend = IpAddresses.parse(before.frontend().ip());
        for (NftFrontend.Target t : Set.copyOf(before.targets())) {
            Optional<InetAddress> backend = IpAddresses.parse(t.ip());
            if (!kept.contains(t) && frontend.isPresent() && backend.isPresent()) {
                out.add(new Gone(before.protocol(), frontend.get(), before.frontend().port(), backend.get(), t.port()));
            }
        }
        return out;
    }

    /** Queues {@code gone} for the next round (one is started when none is pending). */
    void clear(List<Gone> gone) {
        if (gone.isEmpty()) {
            return;
        }
        boolean start;
        synchronized (queued) {
            start = queued.isEmpty();
            queued.addAll(gone);
        }
        if (start) {
            try {
                worker.execute(this::round);
            } catch (RejectedExecutionException e) {
                // Closed: the datapath is stopping.
            }
        }
    }

    /** Takes everything queued, lists each family and protocol involved once, deletes the matching entries. */
    private void round() {
        List<Gone> batch;
        synchronized (queued) {
            batch = List.copyOf(queued);
            queued.clear();
        }
        Map<String, List<Gone>> byList = new HashMap<>();
        batch.forEach(g -> byList.computeIfAbsent(g.family() + " " + g.protocol(), k -> new ArrayList<>()).add(g));
        int deleted = 0;
        try {
            for (Map.Entry<String, List<Gone>> e : byList.entrySet()) {
                String[] fp = e.getKey().split(" ");
                String listing = run.apply(List.of("conntrack", "-L", "-f", fp[0], "-p", fp[1]), TIMEOUT);
                deleted += delete(fp[0], fp[1], listing, e.getValue());
            }
            lastFailure = "";
        } catch (RuntimeException e) {
            String why = "cannot delete the connection-tracking entries of backends that left their frontends (install"
                    + " conntrack-tools: apt-get install -y conntrack): " + e.getMessage();
            if (!why.equals(lastFailure)) {
                LOG.warn(why);
            }
            lastFailure = why;
        }
        if (deleted > 0) {
            LOG.debugf("deleted %d connection-tracking entries of backends that left their frontends", deleted);
        }
    }

    private int delete(String family, String protocol, String listing, List<Gone> gone) {
        int deleted = 0;
        for (String line : listing.split("\n")) {
            Optional<List<String>> args = match(protocol, line, gone);
            if (args.isEmpty()) {
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
     * The {@code conntrack -D} arguments that name the entry of one {@code conntrack -L} line exactly (its original
     * tuple and its state), when it is one to delete: in TIME_WAIT or CLOSE, load-balanced to a backend in
     * {@code gone} (original destination the frontend, reply source the backend).
     */
    static Optional<List<String>> match(String protocol, String line, List<Gone> gone) {
        String[] t = line.trim().split("\\s+");
        if (t.length < 3 || !t[0].equals(protocol)) {
            return Optional.empty();
        }
        Map<String, List<String>> f = new HashMap<>();
        Set<String> words = new TreeSet<>();
        for (String token : t) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                f.computeIfAbsent(token.substring(0, eq), k -> new ArrayList<>()).add(token.substring(eq + 1));
            } else {
                words.add(token);
            }
        }
        Optional<String> state = words.stream().filter(CLOSED::contains).findFirst();
        if (!complete(f) || state.isEmpty()) {
            return Optional.empty();
        }
        Optional<InetAddress> dst = IpAddresses.parse(f.get("dst").get(0));
        Optional<InetAddress> replySrc = IpAddresses.parse(f.get("src").get(1));
        String dport = f.get("dport").get(0);
        String replySport = f.get("sport").get(1);
        boolean hit = dst.isPresent() && replySrc.isPresent() && gone.stream().anyMatch(g -> g.protocol()
                .equals(protocol) && g.frontend().equals(dst.get()) && Integer.toString(g.frontendPort()).equals(dport)
                && g.backend().equals(replySrc.get()) && Integer.toString(g.backendPort()).equals(replySport));
        if (!hit) {
            return Optional.empty();
        }
        List<String> args = new ArrayList<>(List.of("-p", protocol, "-s", f.get("src").get(0), "-d",
                f.get("dst").get(0), "--sport", f.get("sport").get(0), "--dport", dport));
        args.addAll(List.of("--state", state.get()));
        return Optional.of(args);
    }

    private static boolean complete(Map<String, List<String>> f) {
        return List.of("src", "dst", "sport", "dport").stream()
                .allMatch(k -> f.get(k) != null && f.get(k).size() >= 2);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
