/**
 * Routes to remote clusters: from the Node records (IPs and pod CIDRs) and the ClusterConfig (service CIDRs)
 * every remote cluster exports, a pure function computes the routes this node needs, pod CIDRs via their node
 * and service CIDRs via one chosen node of their cluster; the datapath programs them.
 */
package dev.clustermesh.agent.routing;
