package dev.clustermesh.dns.mesh;

import dev.clustermesh.core.mesh.MeshFollower;

/** What the mesh side of mesh-dns reports for metrics and logs: the mesh's events and the zone's. Must not block. */
public interface MeshObserver extends MeshFollower.Observer {
    /** Nothing is reported. */
    MeshObserver NONE = new MeshObserver() {
    };

    /** A service was left out of the zone (a name that is not a DNS label). */
    default void skipped(String reason) {
    }

    /**
     * A new zone is being served.
     *
     * @param names names holding at least one record
     * @param buildNanos time to compute it
     * @param propagationNanos time from the latest mesh change it includes to being served
     */
    default void zoneBuilt(int names, long buildNanos, long propagationNanos) {
    }
}
