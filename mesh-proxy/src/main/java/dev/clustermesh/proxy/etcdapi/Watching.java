package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.RangeQuery;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * One downstream watch: what it covers and which events it wants.
 *
 * @param id the watch ID on its stream
 * @param range the watched keys
 * @param start the first revision it wants
 * @param prevKv whether events carry the previous value
 * @param noPut drop PUT events
 * @param noDelete drop DELETE events
 * @param progressNotify whether it wants periodic progress responses
 * @param fragment whether responses larger than {@link #FRAGMENT_BYTES} may be split into fragments
 */
record Watching(long id, RangeQuery range, long start, boolean prevKv, boolean noPut, boolean noDelete,
        boolean progressNotify, boolean fragment) {
    /** etcd's default {@code --max-request-bytes} (1.5 MiB), where etcd splits responses of fragment watches. */
    static final int FRAGMENT_BYTES = 3 << 19;
    /** {@code WatchCreateRequest.watch_id}, newer than the proto this build compiles against. */
    private static final int WATCH_ID_FIELD = 7;
    /** {@code WatchCreateRequest.fragment}, likewise. */
    private static final int FRAGMENT_FIELD = 8;

    /**
     * What decides which events a watch gets and how they look, apart from its start revision: watches of
     * one shape are sent the same encoded events.
     */
    record Shape(RangeQuery range, boolean prevKv, boolean noPut, boolean noDelete) {
    }

    /** This watch's shape. */
    Shape shape() {
        return new Shape(range, prevKv, noPut, noDelete);
    }

    static Watching of(long id, WatchCreateRequest r, long start) {
        List<WatchCreateRequest.FilterType> f = r.getFiltersList();
        return new Watching(id, new RangeQuery(r.getKey(), r.getRangeEnd()), start, r.getPrevKv(),
                f.contains(WatchCreateRequest.FilterType.NOPUT), f.contains(WatchCreateRequest.FilterType.NODELETE),
                r.getProgressNotify(), unknownVarint(r, FRAGMENT_FIELD) != 0);
    }

    /** The watch ID the client chose, or 0 (etcd's "assign one"). */
    static long requestedId(WatchCreateRequest r) {
        return unknownVarint(r, WATCH_ID_FIELD);
    }

    private static long unknownVarint(WatchCreateRequest r, int field) {
        List<Long> values = r.getUnknownFields().getField(field).getVarintList();
        return values.isEmpty() ? 0 : values.get(values.size() - 1);
    }

    /** The events of {@code batch} this watch wants, as they are (previous values not removed). */
    List<Event> filter(List<Event> batch) {
        List<Event> out = new ArrayList<>();
        for (Event e : batch) {
            if (e.getKv().getModRevision() >= start && range.contains(e.getKv().getKey())
                    && !(noPut && e.getType() == Event.EventType.PUT)
                    && !(noDelete && e.getType() == Event.EventType.DELETE)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The events of {@code batch} this watch wants, shaped for it; empty when none. */
    List<Event> select(List<Event> batch) {
        List<Event> out = null;
        for (Event e : batch) {
            if (e.getKv().getModRevision() < start || !range.contains(e.getKv().getKey())
                    || (noPut && e.getType() == Event.EventType.PUT)
                    || (noDelete && e.getType() == Event.EventType.DELETE)) {
                continue;
            }
            if (out == null) {
                out = new ArrayList<>();
            }
            out.add(prevKv || !e.hasPrevKv() ? e : e.toBuilder().clearPrevKv().build());
        }
        return out == null ? List.of() : out;
    }
}
