package dev.clustermesh.core.mesh;

import dev.clustermesh.proto.mesh.v1.StageFigures;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The latest latency samples of one stage, in a fixed ring, and how many there were in all. Quantiles are
 * computed on request over the ring (the last {@link #CAPACITY} samples), so a slow stage of an hour ago no longer
 * shows once it is fast again. Thread-safe; recording is constant time.
 */
public final class LatencyWindow {
    /** Samples the quantiles are computed over. */
    public static final int CAPACITY = 1024;

    private final long[] micros = new long[CAPACITY];
    private long count;

    /** Records one sample; a negative one (clocks of two machines) counts as zero. */
    public synchronized void record(long nanos) {
        micros[(int) (count % CAPACITY)] = Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos));
        count++;
    }

    /** The figures now: all samples counted, quantiles and maximum over the latest ones. */
    public Summary summary() {
        long[] copy;
        long n;
        synchronized (this) {
            n = count;
            copy = Arrays.copyOf(micros, (int) Math.min(count, CAPACITY));
        }
        if (copy.length == 0) {
            return Summary.NONE;
        }
        Arrays.sort(copy);
        return new Summary(n, quantile(copy, 0.5), quantile(copy, 0.99), copy[copy.length - 1]);
    }

    /** The nearest-rank quantile of sorted values. */
    private static long quantile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /**
     * Latency figures of one stage.
     *
     * @param samples every sample recorded so far
     * @param p50Micros median of the latest samples, microseconds
     * @param p99Micros 99th percentile of the latest samples
     * @param maxMicros largest of the latest samples
     */
    public record Summary(long samples, long p50Micros, long p99Micros, long maxMicros) {
        /** No sample yet. */
        public static final Summary NONE = new Summary(0, 0, 0, 0);

        /** As carried in a heartbeat. */
        public StageFigures toProto() {
            return StageFigures.newBuilder().setSamples(samples).setP50Micros(p50Micros).setP99Micros(p99Micros)
                    .setMaxMicros(maxMicros).build();
        }

        /** From a heartbeat's figures. */
        public static Summary of(StageFigures f) {
            return new Summary(f.getSamples(), f.getP50Micros(), f.getP99Micros(), f.getMaxMicros());
        }
    }
}
