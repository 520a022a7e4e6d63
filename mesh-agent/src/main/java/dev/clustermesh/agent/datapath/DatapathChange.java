package dev.clustermesh.agent.datapath;

import dev.clustermesh.agent.loadbalancer.LbChange;

/**
 * Which parts of the desired state differ from the state passed to the previous successful apply: a datapath
 * may program only these, instead of diffing the whole state.
 *
 * @param lb changed frontends and backends
 * @param routes true when the route set changed
 */
public record DatapathChange(LbChange lb, boolean routes) {
}
