package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable address → identity map that is cheap to derive from with a few addresses moved: a base map plus
 * the changes since, folded into a new base once they grow past a bound (about four times the square root of the
 * base's size). A pod coming or going in a mesh of tens of thousands then costs a copy of the recent changes,
 * not of every address.
 */
public final class IpIdentityMap extends AbstractMap<InetAddress, Integer> {
    private static final IpIdentityMap EMPTY = new IpIdentityMap(Map.of(), Map.of(), Set.of());
    private final Map<InetAddress, Integer> base;
    /** Addresses added or given another identity since the base; disjoint from {@link #removed}. */
    private final Map<InetAddress, Integer> changed;
    /** Addresses of the base removed since; disjoint from {@link #changed}. */
    private final Set<InetAddress> removed;
    private final int size;
    private Set<Entry<InetAddress, Integer>> entries;

    private IpIdentityMap(Map<InetAddress, Integer> base, Map<InetAddress, Integer> changed, Set<InetAddress> removed) {
        this.base = base;
        this.changed = changed;
        this.removed = removed;
        int n = base.size() - removed.size();
        for (InetAddress ip : changed.keySet()) {
            if (!base.containsKey(ip)) {
                n++;
            }
        }
        this.size = n;
    }

    /** {@code map} itself when it is one, else an immutable copy. */
    public static IpIdentityMap of(Map<InetAddress, Integer> map) {
        if (map instanceof IpIdentityMap m) {
            return m;
        }
        return map.isEmpty() ? EMPTY : new IpIdentityMap(Map.copyOf(map), Map.of(), Set.of());
    }

    /**
     * A map over {@code map} itself, not a copy: for a caller that built it and hands it over, never changing it
     * afterwards (a compile's 20,000 addresses are not copied again).
     */
    static IpIdentityMap owning(Map<InetAddress, Integer> map) {
        return map.isEmpty() ? EMPTY : new IpIdentityMap(Collections.unmodifiableMap(map), Map.of(),
                Set.of());
    }

    /** This map with {@code gone} removed, then {@code now} put. */
    public IpIdentityMap with(Set<InetAddress> gone, Map<InetAddress, Integer> now) {
        Map<InetAddress, Integer> c = new HashMap<>(changed);
        Set<InetAddress> r = new HashSet<>(removed);
        for (InetAddress ip : gone) {
            c.remove(ip);
            if (base.containsKey(ip)) {
                r.add(ip);
            }
        }
        now.forEach((ip, id) -> {
            r.remove(ip);
            if (id.equals(base.get(ip))) {
                c.remove(ip);
            } else {
                c.put(ip, id);
            }
        });
        IpIdentityMap next = new IpIdentityMap(base, Map.copyOf(c), Set.copyOf(r));
        int bound = Math.max(64, 4 * (int) Math.sqrt(base.size()));
        return c.size() + r.size() > bound ? new IpIdentityMap(Map.copyOf(new HashMap<>(next)), Map.of(), Set.of())
                : next;
    }

    @Override
    public Integer get(Object key) {
        Integer c = changed.get(key);
        if (c != null) {
            return c;
        }
        return removed.contains(key) ? null : base.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void forEach(BiConsumer<? super InetAddress, ? super Integer> action) {
        if (changed.isEmpty() && removed.isEmpty()) {
            base.forEach(action); // a render walks every address: no view and entry wrappers in between
        } else {
            super.forEach(action);
        }
    }

    @Override
    public Set<InetAddress> keySet() {
        return changed.isEmpty() && removed.isEmpty() ? base.keySet() : super.keySet();
    }

    @Override
    public Set<Entry<InetAddress, Integer>> entrySet() {
        if (entries == null) {
            entries = new AbstractSet<>() {
                @Override
                public Iterator<Entry<InetAddress, Integer>> iterator() {
                    return new Entries();
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
        return entries;
    }

    /** The base's entries still valid, then the changed ones. */
    private final class Entries implements Iterator<Entry<InetAddress, Integer>> {
        private final Iterator<Entry<InetAddress, Integer>> inBase = base.entrySet().iterator();
        private final Iterator<Entry<InetAddress, Integer>> inChanged = changed.entrySet().iterator();
        private Entry<InetAddress, Integer> next;

        @Override
        public boolean hasNext() {
            while (next == null && inBase.hasNext()) {
                Entry<InetAddress, Integer> e = inBase.next();
                if (!removed.contains(e.getKey()) && !changed.containsKey(e.getKey())) {
                    next = e;
                }
            }
            if (next == null && inChanged.hasNext()) {
                next = inChanged.next();
            }
            return next != null;
        }

        @Override
        public Entry<InetAddress, Integer> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Entry<InetAddress, Integer> e = next;
            next = null;
            return e;
        }
    }
}
