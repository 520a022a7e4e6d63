/**
 * The remote-cluster watcher: keeps an up-to-date copy of one cluster's exported state by reading its
 * mesh-proxy (jetcd over mTLS), for mesh-agent and mesh-dns alike.
 *
 * <p>Promises: a cluster is trusted only after its ClusterConfig names it as configured and carries a valid ID
 * that no other connected cluster uses; the state is one consistent list (a read-only transaction at one
 * revision) followed by watches from that revision + 1; after every reconnect the whole state is listed again,
 * what disappeared is deleted and only real changes are reported; a cluster unreachable for longer than its TTL
 * has its state withdrawn (TTL 0 keeps the last known state). Bad keys and values are reported and skipped,
 * never fatal.
 */
package dev.clustermesh.core.remote;
