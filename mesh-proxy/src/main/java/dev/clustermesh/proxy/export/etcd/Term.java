package dev.clustermesh.proxy.export.etcd;

/**
 * One leadership term of this replica: the lease that keeps the election key alive and the revision at
 * which this replica created the key. A term ends when the key is gone or was created again (by anyone).
 *
 * @param leaseId the etcd lease attached to the election key
 * @param createRevision the election key's create_revision, which every guarded write compares
 */
public record Term(long leaseId, long createRevision) {
}
