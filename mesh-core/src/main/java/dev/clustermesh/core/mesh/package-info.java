/**
 * The merged view of every watched cluster: global services grouped by namespace/name with each cluster's
 * ClusterService, nodes and ClusterConfigs (pod and service CIDRs) by cluster, and each cluster's connection status. Fed by the remote-cluster watchers,
 * read as immutable snapshots by the agent's reconciler and by mesh-dns.
 *
 * <p>Promises: a snapshot is one consistent, immutable value; every change bumps the version and calls the
 * change hook (which only marks dirty); the view never blocks its writers.
 */
package dev.clustermesh.core.mesh;
