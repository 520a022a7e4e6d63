/**
 * The read-only etcd v3 API that other clusters' agents (and this cluster's own) use: {@code KV.Range},
 * read-only {@code KV.Txn}, {@code Watch}, {@code Maintenance.Status}, {@code Cluster.MemberList} and the lease
 * reads, served from the {@link dev.clustermesh.proxy.cache.KvCache} over mTLS.
 *
 * <p>Promises: the client certificate's CN is the identity ({@code local-<this cluster>} reads all of
 * {@code mesh/v1/}, {@code remote-<cluster>} only the shared prefixes); anything else, and every write, is
 * refused with {@code PERMISSION_DENIED} and etcd's exact description (the reason in a trailer); errors never
 * carry a class name or stack trace. A watch gets every event from its start revision, in order, or ends with
 * an error its client acts on (etcd's compaction answer once the history has moved past it; UNAVAILABLE after
 * a failure in the proxy): never silence. Memory is bounded for the whole process: events are encoded once per
 * watch shape and never copied per stream by this package, the history is bounded in bytes, and the responses
 * queued for slow clients are bounded per stream and in total; a stream past either bound catches up from the
 * history instead of queueing.
 */
package dev.clustermesh.proxy.etcdapi;
