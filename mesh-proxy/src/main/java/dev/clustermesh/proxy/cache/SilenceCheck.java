package dev.clustermesh.proxy.cache;

/**
 * Tells a watch that lives but delivers nothing from one that is merely behind. Found by the fault campaign: after
 * an etcd restart one replica's resumed upstream watch stayed silent for minutes while etcd moved on, and every
 * agent it served kept that cluster's old state. The cache is kept current to within a progress interval (1 s by
 * default) by events and progress notifications, so at a probe it must have reached the revision etcd had at the
 * previous probe (5 s earlier). If it has not, the watch is replaced; if the new one is found silent too, the
 * feed lists again. Fed by one thread (the feed's scheduler).
 */
final class SilenceCheck {
    /** What to do after a probe. */
    enum Verdict { FINE, WATCH_AGAIN, LIST_AGAIN }

    /** The upstream revision a probe saw above the cache's; the next probe expects the cache to have reached it. */
    private long target;
    /** Replacements in a row without the cache catching up in between. */
    private int streak;

    /**
     * One probe's reading.
     *
     * @param held the cache's revision just before the probe's linearizable read
     * @param upstream the revision that read answered
     */
    Verdict probed(long held, long upstream) {
        if (target > 0 && held < target) {
            target = 0;
            return streak++ == 0 ? Verdict.WATCH_AGAIN : Verdict.LIST_AGAIN;
        }
        if (target > 0 || upstream <= held) {
            streak = 0; // the cache reached what etcd had, or is current
        }
        target = upstream > held ? upstream : 0;
        return Verdict.FINE;
    }
}
