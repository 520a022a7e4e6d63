/**
 * The merged view of every watched cluster and the one way to follow it. {@code MeshView}: global services
 * grouped by namespace/name with each cluster's ClusterService, nodes and ClusterConfigs (pod and service CIDRs)
 * by cluster, and each cluster's connection status. {@code MeshFollower}: joins the clusters directory, feeds the
 * view, reports events and wakes one consumer's worker (the agent's reconciler, mesh-dns's zone builder).
 *
 * <p>Promises: a snapshot is one consistent, immutable value; every change bumps the version; the view calls
 * nobody and never blocks its writers for longer than a map update. Depends on {@code core.remote} (the watchers
 * feeding it), never the other way round.
 */
package dev.clustermesh.core.mesh;
