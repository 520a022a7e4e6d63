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
 */
record Watching(long id, RangeQuery range, long start, boolean prevKv, boolean noPut, boolean noDelete,
        boolean progressNotify) {

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
                r.getProgressNotify());
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
