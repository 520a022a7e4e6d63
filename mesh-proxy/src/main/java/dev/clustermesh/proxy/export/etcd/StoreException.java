package dev.clustermesh.proxy.export.etcd;

/**
 * An etcd request failed, timed out or was interrupted; the message says which request. Whether part of it
 * was applied is unknown, so callers re-list before they trust what they know about etcd again.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for the request {@code what}. */
    public StoreException(String what, Throwable cause) {
        super(what + " failed: " + describe(cause), cause);
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        return msg == null || msg.isBlank() ? root.getClass().getSimpleName() : msg;
    }
}
