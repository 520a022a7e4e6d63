/**
 * The exporter's side of etcd: the lease-based election among replicas, listing this cluster's own keys,
 * and applying a difference in transactions guarded by the election.
 *
 * <p>Promises: the election key lives outside {@code mesh/v1/} ({@code mesh-internal/election/<cluster>}), so
 * the read-only API never serves it; every write transaction carries the guard "the election key's
 * create_revision is the one this replica created", so a deposed leader's write fails as a whole and is
 * reported as {@link dev.clustermesh.proxy.export.etcd.NotLeaderException}; only keys under this cluster's own
 * prefixes ({@link dev.clustermesh.proxy.export.etcd.OwnKeys}) are listed, written or deleted.
 */
package dev.clustermesh.proxy.export.etcd;
