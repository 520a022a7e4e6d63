package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.cache.CacheListener;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.ResponseHeader;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Fans the cache's one upstream event stream out to every open downstream watch stream. Runs under the cache
 * lock, so each stream sees events in revision order and never between its registration and its replay.
 */
final class WatchHub implements CacheListener {
    private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
    private final Supplier<ResponseHeader> header;

    /** A hub whose event responses carry {@code header}, read under the cache lock at each delivery. */
    WatchHub(Supplier<ResponseHeader> header) {
        this.header = header;
    }

    void add(WatchStream s) {
        streams.add(s);
    }

    void remove(WatchStream s) {
        streams.remove(s);
    }

    /** Runs {@code action} on every open stream (outside the cache lock). */
    void each(java.util.function.Consumer<WatchStream> action) {
        for (WatchStream s : streams) {
            action.accept(s);
        }
    }

    /** Streams some of whose watches catch up from the history. */
    int catchingUp() {
        return (int) streams.stream().filter(WatchStream::catchingUp).count();
    }

    /** Streams waiting for their client to read. */
    int waitingForClients() {
        return (int) streams.stream().filter(WatchStream::waitingForClient).count();
    }

    /** Open downstream streams. */
    int streams() {
        return streams.size();
    }

    @Override
    public void onEvents(List<Event> events, long revision) {
        EventBatch batch = new EventBatch(events, header.get());
        for (WatchStream s : streams) {
            try {
                s.deliver(batch);
            } catch (Throwable t) {
                // One stream's failure (even an OutOfMemoryError) ends that stream loudly, never the others.
                s.abort(t);
            }
        }
    }

    @Override
    public void onReady() {
        for (WatchStream s : streams) {
            s.startHeld();
        }
    }

    @Override
    public void onReset(long floor) {
        for (WatchStream s : streams) {
            s.compactAll(floor + 1);
        }
    }

    /** Wakes streams whose catching-up watches wait for a drain nobody scheduled; returns how many. */
    int wakeStalled() {
        int woken = 0;
        for (WatchStream s : streams) {
            if (s.wakeIfStalled()) {
                woken++;
            }
        }
        return woken;
    }

    /** Sends a progress response to every watch that asked for progress notifications. */
    void progress() {
        for (WatchStream s : streams) {
            s.progress();
        }
    }
}
