/**
 * The read-only etcd v3 API that other clusters' agents (and this cluster's own) use: {@code KV.Range},
 * read-only {@code KV.Txn}, {@code Watch}, {@code Maintenance.Status}, served from the
 * {@link dev.clustermesh.proxy.cache.KvCache} over mTLS.
 *
 * <p>Promises: the client certificate's CN is the identity ({@code local-<this cluster>} reads all of
 * {@code mesh/v1/}, {@code remote-<cluster>} only the shared prefixes); anything else is refused with
 * {@code PERMISSION_DENIED}; every write answers {@code PERMISSION_DENIED} saying the proxy is read-only;
 * errors carry a description for people, never a class name or stack trace. A watch stream is written as
 * fast as its client reads; one more than {@code mesh.api.watch-queue-bytes} behind is closed with
 * {@code RESOURCE_EXHAUSTED} (its client re-lists and watches again), so a slow client cannot grow the heap.
 */
package dev.clustermesh.proxy.etcdapi;
