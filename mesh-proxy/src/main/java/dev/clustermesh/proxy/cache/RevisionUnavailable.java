package dev.clustermesh.proxy.cache;

/**
 * A read at a revision the cache cannot answer: newer than the cache's (a future revision) or older than its
 * history reaches (compacted, as far as this cache knows).
 */
public final class RevisionUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean future;
    private final long oldest;

    private RevisionUnavailable(String message, boolean future, long oldest) {
        super(message, null, false, false);
        this.future = future;
        this.oldest = oldest;
    }

    static RevisionUnavailable future(long asked, long current) {
        return new RevisionUnavailable("revision " + asked + " is newer than the cache's " + current, true, 0);
    }

    static RevisionUnavailable compacted(long asked, long oldest) {
        return new RevisionUnavailable("revision " + asked + " is older than the oldest the cache serves, " + oldest,
                false, oldest);
    }

    /** True when the revision is newer than the cache's; false when it is older than its history. */
    public boolean future() {
        return future;
    }

    /** The oldest revision still served, when compacted; else 0. */
    public long oldest() {
        return oldest;
    }
}
