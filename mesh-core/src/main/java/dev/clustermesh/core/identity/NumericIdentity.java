package dev.clustermesh.core.identity;

/**
 * Numeric security identities: {@code clusterId << 16 | local}, so clusters allocate their own without ever
 * coordinating. Local numbers are {@value #MIN_LOCAL}..{@value #MAX_LOCAL}; 0 is never an allocated identity,
 * and every number below {@code 1 << 16} (cluster ID 0) is free for reserved identities of the agent.
 */
public final class NumericIdentity {
    /** Smallest local number. */
    public static final int MIN_LOCAL = 1;
    /** Largest local number: a cluster has at most this many identities at once. */
    public static final int MAX_LOCAL = 0xFFFF;

    private NumericIdentity() {
    }

    /**
     * The identity of local number {@code local} in cluster {@code clusterId}.
     *
     * @throws IllegalArgumentException when the cluster ID or the local number is out of range
     */
    public static int of(int clusterId, int local) {
        ClusterIdentity.idProblem(clusterId).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        if (local < MIN_LOCAL || local > MAX_LOCAL) {
            throw new IllegalArgumentException("local identity " + local + " is not between " + MIN_LOCAL + " and "
                    + MAX_LOCAL);
        }
        return clusterId << 16 | local;
    }

    /** The cluster ID carried in an identity's high bits. */
    public static int clusterId(int identity) {
        return identity >>> 16;
    }

    /** The local number carried in an identity's low 16 bits. */
    public static int local(int identity) {
        return identity & MAX_LOCAL;
    }

    /** True when {@code identity} could have been allocated by some cluster (valid cluster ID, local not 0). */
    public static boolean isAllocatable(long identity) {
        return identity > 0 && identity <= Integer.MAX_VALUE
                && ClusterIdentity.idProblem(clusterId((int) identity)).isEmpty() && local((int) identity) != 0;
    }
}
