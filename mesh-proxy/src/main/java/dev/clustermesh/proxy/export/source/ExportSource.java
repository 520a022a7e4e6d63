package dev.clustermesh.proxy.export.source;

import dev.clustermesh.proxy.export.inventory.Inventory;

/**
 * Where the exported state comes from. A source records what it sees into an {@link Inventory} and marks
 * each kind synced once its first full pass is recorded; it never writes to etcd.
 *
 * <p>Contract: {@link #start} returns quickly; problems with the source (unreachable API, malformed
 * manifests) are logged and counted by the source and never lose objects already recorded.
 */
public interface ExportSource extends AutoCloseable {

    /**
     * Starts delivering into {@code inventory}.
     *
     * @throws java.io.UncheckedIOException when the source cannot be opened at all (e.g. the directory is gone)
     */
    void start(Inventory inventory);

    /** Stops delivering and releases threads, watches and informers. Idempotent. */
    @Override
    void close();
}
