package dev.clustermesh.agent.datapath;

import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.routing.Route;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Everything a datapath programs: the LB maps and the routes to remote clusters.
 *
 * @param lb the LB maps
 * @param routes routes to remote pod CIDRs
 */
public record DatapathState(LbMaps lb, SortedSet<Route> routes) {
    /** Nothing programmed. */
    public static final DatapathState EMPTY = new DatapathState(LbMaps.EMPTY, new TreeSet<>());

    /** Wraps the routes read-only without copying (see {@link LbMaps} for who may pass what). */
    public DatapathState {
        routes = Collections.unmodifiableSortedSet(routes);
    }

    /** An immutable copy, safe to keep after the call it was passed to. */
    public DatapathState copy() {
        return new DatapathState(new LbMaps(new java.util.TreeMap<>(lb.services()), new java.util.TreeMap<>(lb.backends()),
                lb.ids()), new TreeSet<>(routes));
    }
}
