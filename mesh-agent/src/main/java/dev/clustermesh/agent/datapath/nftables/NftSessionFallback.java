package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.DatapathException;
import org.jboss.logging.Logger;

/**
 * Where a transaction goes: small ones through the long-lived {@link NftSession}, large ones (and every one while
 * the session is refused) through a fresh {@code nft -f -}. A session refused before it sent anything hands the same
 * transaction to the file runner; each reason is logged once, and the session's return too.
 */
final class NftSessionFallback {
    private static final Logger LOG = Logger.getLogger(NftSessionFallback.class);
    private final NftSession session;
    private final NftRunner file;
    /** What the transactions are, for the log, e.g. {@code nftables changes in netns x}. */
    private final String what;
    /** Why the session was last refused; null while it is used. */
    private String problem;

    NftSessionFallback(NftSession session, NftRunner file, String what) {
        this.session = session;
        this.file = file;
        this.what = what;
    }

    /** Applies {@code tx}, through the session when {@code small} and the session is usable. */
    void apply(NftTransaction tx, boolean small) {
        if (small) {
            try {
                session.apply(tx);
                if (problem != null) {
                    LOG.infof("nft session is used again for %s", what);
                    problem = null;
                }
                return;
            } catch (DatapathException e) {
                if (!session.refused()) {
                    throw e;
                }
                if (!e.getMessage().equals(problem)) {
                    LOG.warnf("%s; %s go through nft -f meanwhile (about 15 ms each instead of under 1 ms)",
                            e.getMessage(), what);
                    problem = e.getMessage();
                }
            }
        }
        file.apply(tx);
    }
}
