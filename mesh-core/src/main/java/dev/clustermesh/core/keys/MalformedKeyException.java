package dev.clustermesh.core.keys;

/** An etcd key does not follow the mesh key layout; the message names the key and the reason. */
public final class MalformedKeyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /** Creates the exception for {@code key} with a human-readable {@code reason}. */
    public MalformedKeyException(String key, String reason) {
        super("malformed key '" + key + "': " + reason);
        this.key = key;
    }

    /** The rejected key. */
    public String key() {
        return key;
    }
}
