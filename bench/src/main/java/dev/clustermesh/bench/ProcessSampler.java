package dev.clustermesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Samples one process from {@code /proc}: peak resident set (VmRSS) every 100 ms since {@link #start()}, and
 * the CPU time it used (utime + stime) between laps. A process that is gone reads as absent (zero).
 */
final class ProcessSampler implements AutoCloseable {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private final long pid;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakRssKb;
    private long cpuTicksAtLap;

    ProcessSampler(long pid) {
        this.pid = pid;
        this.thread = new Thread(this::loop, "rss-" + pid);
        this.thread.setDaemon(true);
    }

    /** Starts sampling. */
    ProcessSampler start() {
        cpuTicksAtLap = cpuTicks().orElse(0);
        peakRssKb = rssKb().orElse(0);
        thread.start();
        return this;
    }

    /**
     * Ends a lap.
     *
     * @return the CPU seconds (user + system) used since the previous lap or the start, and the peak VmRSS
     *     in MiB since the start
     */
    Lap lap() {
        rssKb().ifPresent(r -> peakRssKb = Math.max(peakRssKb, r));
        long now = cpuTicks().orElse(cpuTicksAtLap);
        long used = now - cpuTicksAtLap;
        cpuTicksAtLap = now;
        return new Lap((double) used / TICKS_PER_SECOND, peakRssKb / 1024.0);
    }

    /**
     * One lap of a process.
     *
     * @param cpuSeconds CPU used during the lap
     * @param peakRssMb peak VmRSS since sampling started, MiB
     */
    record Lap(double cpuSeconds, double peakRssMb) {
    }

    /** Stops sampling. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }

    private void loop() {
        while (running) {
            rssKb().ifPresent(r -> peakRssKb = Math.max(peakRssKb, r));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private OptionalLong rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    private OptionalLong cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of stat(5).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
