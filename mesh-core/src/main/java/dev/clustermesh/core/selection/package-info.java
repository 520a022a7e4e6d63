/**
 * Backend selection for global services: from the per-cluster ClusterServices of one namespace/name and
 * the local cluster's name, compute the local frontends and the ordered backend set, each backend marked
 * preferred and usable.
 *
 * <p>Rules (Cilium's documented behaviour): the local service's backends are always used; a remote
 * cluster's backends only when that cluster shares them; the local service's affinity decides which side is
 * preferred; the usable set is the preferred active backends when there are any, else every active one
 * (failover); terminating backends are listed but never usable. Pure functions, no I/O.
 */
package dev.clustermesh.core.selection;
