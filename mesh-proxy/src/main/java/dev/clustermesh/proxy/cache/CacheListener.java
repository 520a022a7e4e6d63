package dev.clustermesh.proxy.cache;

import io.etcd.jetcd.api.Event;
import java.util.List;

/** Receives the cache's changes, called with the cache lock held, in revision order. */
public interface CacheListener {

    /** Events of one upstream response, in revision order; {@code revision} is the cache's new revision. */
    void onEvents(List<Event> events, long revision);

    /**
     * The cache was re-listed and events between the old and new revision are unknown: every watch whose next
     * revision is at or below {@code floor} must be told its revision is compacted.
     */
    void onReset(long floor);

    /** The first full list is in: watches held until now can start. */
    default void onReady() {
    }

    /** The upstream revision advanced without events (progress), to {@code revision}. */
    default void onProgress(long revision) {
    }
}
