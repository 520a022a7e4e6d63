package dev.clustermesh.dns.mesh;

/** What the mesh side of mesh-dns reports for metrics and logs. Implementations must not block. */
public interface MeshObserver {
    /** Nothing is reported. */
    MeshObserver NONE = new MeshObserver() {
    };

    /** A service or node event arrived from {@code cluster}. */
    default void event(String cluster) {
    }

    /** A key or value from {@code cluster} was unusable and skipped. */
    default void invalid(String cluster, String reason) {
    }

    /** A cluster config file is unusable. */
    default void badClusterFile(String file, String reason) {
    }

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
