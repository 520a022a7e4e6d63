package dev.clustermesh.core.remote;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A keyed copy of one kind of remote state with stale marking: before a re-list every known key is marked
 * stale; listed keys are refreshed (reported only when their value changed); whatever is still stale when the
 * list ends is deleted. Not thread-safe: its {@link RemoteCluster} serialises all calls.
 *
 * @param <V> the value type (a protobuf message, compared with {@code equals})
 */
final class WatchStore<V> {

    /** Receives real changes only. */
    interface Observer<V> {
        /** {@code value} is new or different for {@code key}. */
        void upsert(String key, V value);

        /** {@code key} is gone; {@code last} was its value. */
        void delete(String key, V last);

        /** An observer told every change as {@code (key, value)}, a deletion as {@code (key, null)}. */
        static <V> Observer<V> of(java.util.function.BiConsumer<String, V> change) {
            return new Observer<>() {
                @Override
                public void upsert(String key, V value) {
                    change.accept(key, value);
                }

                @Override
                public void delete(String key, V last) {
                    change.accept(key, null);
                }
            };
        }
    }

    private final Map<String, V> values = new HashMap<>();
    private final Set<String> stale = new HashSet<>();
    private final Observer<V> observer;

    WatchStore(Observer<V> observer) {
        this.observer = observer;
    }

    void markStale() {
        stale.addAll(values.keySet());
    }

    void upsert(String key, V value) {
        stale.remove(key);
        V old = values.put(key, Objects.requireNonNull(value));
        if (!value.equals(old)) {
            observer.upsert(key, value);
        }
    }

    void delete(String key) {
        stale.remove(key);
        V old = values.remove(key);
        if (old != null) {
            observer.delete(key, old);
        }
    }

    /** True when some key is marked stale and has not been listed or watched since. */
    boolean hasStale() {
        return !stale.isEmpty();
    }

    /** Deletes every key still marked stale. */
    void sweep() {
        for (String key : List.copyOf(stale)) {
            delete(key);
        }
    }

    /** Deletes everything (withdrawal). */
    void clear() {
        markStale();
        sweep();
    }

    int size() {
        return values.size();
    }
}
