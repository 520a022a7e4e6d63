package dev.clustermesh.agent.datapath;


/** Programs LB maps into a node's datapath. */
public interface Datapath extends AutoCloseable {

    /** Short name for status and metrics, e.g. {@code memory}, {@code nftables}. */
    String name();

    /**
     * Makes the datapath equal to {@code desired} (LB maps and routes), as one transaction.
     *
     * @param fullSync true to rebuild from scratch instead of applying the difference to what was last applied
     *        (after a failure, or on start)
     * @throws DatapathException when the transaction failed; the datapath then still holds the previous state
     */
    void apply(DatapathState desired, boolean fullSync);

    /**
     * As {@link #apply(DatapathState, boolean)}, told which entries changed since the previous successful apply,
     * so an implementation can program only those. {@code desired} is immutable (its maps are persistent
     * snapshots), so an implementation may keep it as it is. The default ignores what changed.
     */
    default void apply(DatapathState desired, DatapathChange change, boolean fullSync) {
        apply(desired, fullSync);
    }

    /** Leaves what is programmed in place (traffic keeps flowing while the agent restarts). */
    @Override
    default void close() {
    }
}
