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

    /**
     * Wraps the routes read-only without copying: callers hand over a set nobody changes afterwards (the
     * reconciler replaces its route set, never edits it), as for {@link LbMaps}.
     */
    public DatapathState {
        routes = Collections.unmodifiableSortedSet(routes);
    }
}
