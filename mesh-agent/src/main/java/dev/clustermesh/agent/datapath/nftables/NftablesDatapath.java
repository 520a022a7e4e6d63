package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathChange;
import dev.clustermesh.agent.datapath.DatapathException;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.nftables.NftFrontend.LbChain;
import dev.clustermesh.agent.datapath.routes.RouteProgrammer;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.loadbalancer.LbService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Programs the LB maps into the agent's own nftables table ({@code inet clustermesh}) and the routes through a
 * {@link RouteProgrammer}, in this process's network namespace or a named one.
 *
 * <p>Every change is one {@link NftTransaction}. A full sync (when asked, and after any failure) replaces the
 * whole table through {@link NftFileRunner} ({@code nft -f -}, the text streamed into nft as it is rendered).
 * Otherwise only the difference with the last applied maps is sent: small ones through a long-lived
 * {@code nft -i} ({@link NftSession}), large ones through {@code nft -f -}, which parses big input faster; while
 * the session is refused (its process failed the start-up probe: for good when nft changed, until a retry when
 * it did not answer), every difference goes through {@code nft -f -}. Either way the kernel applies all of it or
 * nothing.
 *
 * <p>On start the table a previous agent left keeps serving, untouched, until the first sync. That sync adopts
 * it: it lists the digests sets, takes the frontends whose target digest matches as programmed
 * ({@link NftAdoption}) and applies only the difference, in one transaction; a table of another shape (another
 * agent version, or unreadable) is replaced instead. Later full syncs (retries after a failure) always replace
 * the table, which also repairs what someone changed by hand. No other table is ever read or written.
 * {@link #close()} leaves the table and routes in place, so traffic keeps flowing while the agent restarts.
 */
public final class NftablesDatapath implements Datapath {
    private static final Logger LOG = Logger.getLogger(NftablesDatapath.class);
    /** Above this many bytes a delta goes through {@code nft -f -}: nft's line editor reads long lines slowly. */
    static final int SESSION_LIMIT = 16 * 1024;
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);

    private final NetworkNamespace netns;
    private final RouteProgrammer routes;
    private final NftRunner file;
    private final NftSession session;
    private final NftSessionFallback sessionOrFile;
    private final NftStaleFlows staleFlows;
    /** The rules the table holds, by frontend; null when unknown (before the first sync, after a failure). */
    private Map<LbFrontend, NftFrontend> programmed;
    private Set<LbChain> chains = Set.of();
    private NftReturnPath returnPath = NftReturnPath.NONE;
    /** True until the first full sync: a table a previous agent left is adopted rather than replaced. */
    private boolean adoptTable;
    private String lastTransaction = "";

    /**
     * Checks that nft runs in {@code netns}; the first sync adopts the table a previous agent left there (if any).
     *
     * @throws DatapathException when nft cannot run there (missing tool, missing namespace, no privileges)
     */
    public NftablesDatapath(NetworkNamespace netns, RouteProgrammer routes) {
        this(netns, routes, new NftFileRunner(netns, LOAD_TIMEOUT), NftSession.interactive(netns, SESSION_TIMEOUT),
                new NftStaleFlows(netns));
    }

    /**
     * With the given runners: {@code file} for full syncs and large differences, {@code session} for small ones,
     * {@code staleFlows} for the connection-tracking entries of backends that left their frontends.
     */
    NftablesDatapath(NetworkNamespace netns, RouteProgrammer routes, NftRunner file, NftSession session,
            NftStaleFlows staleFlows) {
        this.netns = netns;
        this.staleFlows = staleFlows;
        this.routes = routes;
        this.file = file;
        this.session = session;
        this.sessionOrFile = new NftSessionFallback(session, file, "nftables changes in " + netns);
        // Not "nft list tables": nft 1.0.6 fetches every set element for it, seconds with a loaded table.
        // Listing flowtables needs the same privileges in the same namespace and reads nothing of the table.
        file.list(List.of("flowtables"));
        this.adoptTable = true;
        LOG.infof("nftables datapath in %s, routing %s: a table inet %s a previous agent left keeps serving until the"
                + " first sync adopts it", netns, routes.mode().configName(), NftRender.TABLE);
    }

    @Override
    public String name() {
        return "nftables";
    }

    /** Without a change hint every frontend is a candidate: rendering costs in proportion to the whole maps. */
    @Override
    public void apply(DatapathState desired, boolean fullSync) {
        apply(desired, null, fullSync);
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the nft transaction succeeds but programming the routes fails, the table holds the new maps and the
     * routes are partly programmed; the exception is thrown and the next apply (a full sync) converges both.
     */
    @Override
    public synchronized void apply(DatapathState desired, DatapathChange change, boolean fullSync) {
        boolean full = fullSync || programmed == null;
        LbMaps lb = desired.lb();
        try {
            NftReturnPath pods = full || change == null || change.routes() ? NftReturnPath.of(desired.routes())
                    : returnPath;
            if (full) {
                fullSync(lb, pods);
            } else {
                NftDiff.Delta delta = delta(lb, change);
                NftTransaction tx = delta.transaction();
                pods.update(tx, returnPath);
                transact(tx);
                returnPath = pods;
                long now = System.nanoTime();
                delta.updates().forEach((f, rules) -> {
                    staleFlows.changed(programmed.get(f), rules, now);
                    if (rules.isPresent()) {
                        programmed.put(f, rules.get());
                    } else {
                        programmed.remove(f);
                    }
                });
                chains = delta.chains();
                staleFlows.sweepSoon();
            }
        } catch (RuntimeException e) {
            programmed = null;
            throw e instanceof DatapathException d ? d : new DatapathException("nftables: " + e.getMessage(), e);
        }
        if (full || change == null || change.routes()) {
            routes.apply(desired.routes(), full);
        }
    }

    /** The last transaction sent to nft, for debugging and tests (a full sync is summarised). */
    public synchronized String lastTransaction() {
        return lastTransaction;
    }

    /** The namespace it programs. */
    public NetworkNamespace netns() {
        return netns;
    }

    /** The difference for the frontends {@code change} names; without a hint, for every frontend. */
    private NftDiff.Delta delta(LbMaps lb, DatapathChange change) {
        Collection<LbFrontend> candidates = change == null ? union(lb) : change.lb().services();
        return NftDiff.diff(programmed, chains, candidates,
                f -> Optional.ofNullable(lb.services().get(f)).flatMap(s -> NftRender.frontend(s, lb.backends())));
    }

    private void fullSync(LbMaps lb, NftReturnPath pods) {
        programmed = null;
        if (adoptTable) {
            adoptTable = false;
            if (adopt(frontends(lb), pods)) {
                prestartSession();
                return;
            }
        }
        // Built while nft starts: 10,000 services are 130,000 operations.
        List<NftFrontend> frontends = new ArrayList<>(lb.services().size());
        NftTransaction tx = file.apply(() -> {
            frontends.addAll(frontends(lb));
            return NftRender.replace(frontends, pods);
        });
        lastTransaction = "full sync: " + frontends.size() + " frontends, " + tx.size() + " nft operations";
        Map<LbFrontend, NftFrontend> now = new HashMap<>();
        frontends.forEach(f -> now.put(f.frontend(), f));
        programmed = now;
        chains = new HashSet<>(NftRender.chains(frontends));
        returnPath = pods;
        prestartSession();
    }

    /**
     * Applies the difference between the table a previous agent left and {@code frontends}.
     *
     * @return false when the table is not of this agent's shape (nothing was applied: replace it)
     * @throws DatapathException when listing succeeded but nft refused the difference
     */
    private boolean adopt(List<NftFrontend> frontends, NftReturnPath pods) {
        long start = System.nanoTime();
        Optional<Map<LbFrontend, NftAdoption.Listed>> listed;
        try {
            listed = NftAdoption.parse(listSet("digests4"), listSet("digests6"));
        } catch (DatapathException e) {
            // No table, or one without these sets (an older agent's): nft says "No such file or directory".
            LOG.infof("no table inet %s of this agent's shape in %s (%s): the first sync creates it", NftRender.TABLE,
                    netns, e.getMessage());
            return false;
        }
        if (listed.isEmpty()) {
            LOG.infof("table inet %s in %s is of another agent version: replacing it", NftRender.TABLE, netns);
            return false;
        }
        long listedAt = System.nanoTime();
        Map<LbFrontend, NftFrontend> want = new HashMap<>();
        frontends.forEach(f -> want.put(f.frontend(), f));
        Map<LbFrontend, NftFrontend> assumed = NftAdoption.programmed(listed.get(), want);
        Set<LbFrontend> candidates = new HashSet<>(assumed.keySet());
        candidates.addAll(want.keySet());
        NftDiff.Delta delta = NftDiff.diff(assumed, new HashSet<>(NftRender.chains(assumed.values())), candidates,
                f -> Optional.ofNullable(want.get(f)));
        NftTransaction tx = delta.transaction();
        pods.rewrite(tx);
        transact(tx);
        lastTransaction = "adopted: " + listed.get().size() + " frontends listed, " + delta.updates().size()
                + " changed\n" + lastTransaction;
        delta.updates().forEach((f, rules) -> {
            if (rules.isPresent()) {
                assumed.put(f, rules.get());
            } else {
                assumed.remove(f);
            }
        });
        programmed = assumed;
        chains = delta.chains();
        returnPath = pods;
        LOG.infof("adopted table inet %s in %s: %d frontends listed, %d changed, in %d ms (listing %d ms)",
                NftRender.TABLE, netns, listed.get().size(), delta.updates().size(),
                (System.nanoTime() - start) / 1_000_000, (listedAt - start) / 1_000_000);
        return true;
    }

    private String listSet(String set) {
        return file.list(List.of("set", "inet", NftRender.TABLE, set));
    }

    private void prestartSession() {
        session.prestart();
    }

    /** Applies a difference: through the session when small and the session is usable, else through nft -f. */
    private void transact(NftTransaction tx) {
        if (tx.isEmpty()) {
            return;
        }
        String text = tx.render();
        lastTransaction = text.substring(0, text.length() - 1);
        sessionOrFile.apply(tx, text.length() <= SESSION_LIMIT);
    }

    private Collection<LbFrontend> union(LbMaps lb) {
        Set<LbFrontend> all = new HashSet<>(programmed.keySet());
        all.addAll(lb.services().keySet());
        return all;
    }

    static List<NftFrontend> frontends(LbMaps lb) {
        List<NftFrontend> out = new ArrayList<>(lb.services().size());
        for (LbService s : lb.services().values()) {
            NftRender.frontend(s, lb.backends()).ifPresent(out::add);
        }
        return out;
    }

    /** Stops the nft session; the table and routes stay. */
    @Override
    public synchronized void close() {
        try {
            session.close();
            file.close();
        } finally {
            staleFlows.close();
        }
    }
}
