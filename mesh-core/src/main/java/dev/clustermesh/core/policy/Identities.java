package dev.clustermesh.core.policy;

/**
 * Numeric identities: per cluster, {@code clusterId << 16 | local} for each distinct set of selection labels, and
 * reserved values below 256 (Cilium's numbering) for addresses that are not pods.
 */
public final class Identities {
    /** An address inside a pod CIDR that no known pod has: never matched by a selector, entity or CIDR peer. */
    public static final int UNKNOWN = 0;
    /** An address outside every pod CIDR of the mesh: matched by CIDR peers and the {@code world} entity. */
    public static final int WORLD = 2;
    /** The first local identity number a cluster may hand out. */
    public static final int FIRST_LOCAL = 256;

    private Identities() {
    }

    /** The identity {@code local} of cluster {@code clusterId} (1..255). */
    public static int of(int clusterId, int local) {
        if (clusterId < 1 || clusterId > 255 || local < FIRST_LOCAL || local > 0xffff) {
            throw new IllegalArgumentException("cluster id " + clusterId + " or local identity " + local + " out of range");
        }
        return clusterId << 16 | local;
    }

    /** True for the reserved identities, which no cluster allocates. */
    public static boolean isReserved(int identity) {
        return identity < FIRST_LOCAL;
    }

    /** {@code unknown}, {@code world}, or the number. */
    public static String describe(int identity) {
        return switch (identity) {
            case UNKNOWN -> "unknown";
            case WORLD -> "world";
            default -> Integer.toString(identity);
        };
    }
}
