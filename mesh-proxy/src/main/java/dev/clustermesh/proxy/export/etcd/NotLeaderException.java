package dev.clustermesh.proxy.export.etcd;

/**
 * A guarded write was refused because the election key no longer has this term's create_revision: another
 * replica leads now, or the lease expired. Nothing of the transaction was applied.
 */
public final class NotLeaderException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Term term;

    /** Creates the exception for the term that ended. */
    public NotLeaderException(Term term) {
        super("no longer the leader (term " + term + " ended); the write was not applied");
        this.term = term;
    }

    /** The term that ended. */
    public Term term() {
        return term;
    }
}
