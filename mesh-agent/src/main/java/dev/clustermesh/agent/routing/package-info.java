/**
 * Routes to remote clusters' pods: from the Node records every remote cluster exports (IPs and pod CIDRs),
 * a pure function computes the routes this node needs; the datapath programs them.
 */
package dev.clustermesh.agent.routing;
