package dev.clustermesh.proxy.export;

import dev.clustermesh.core.identity.NumericIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The identities of one cluster: which number stands for which label set, and since when a number is unused.
 * Immutable: {@link #allocate} returns the next table, so the exporter keeps one value between passes and the
 * computation stays pure.
 *
 * @param byId identity to entry, sorted by identity
 */
public record IdentityTable(SortedMap<Integer, Entry> byId) {
    /** No identities. */
    public static final IdentityTable EMPTY = new IdentityTable(new TreeMap<>());

    public IdentityTable {
        byId = Collections.unmodifiableSortedMap(new TreeMap<>(byId));
    }

    /**
     * One allocated identity.
     *
     * @param id {@code clusterId << 16 | local}
     * @param labels its identity labels
     * @param unusedSinceMillis when the last pod with these labels went away, -1 while some pod has them
     */
    public record Entry(int id, Map<String, String> labels, long unusedSinceMillis) {
        public Entry {
            labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        }

        boolean inUse() {
            return unusedSinceMillis < 0;
        }
    }

    /**
     * What {@link #allocate} returns.
     *
     * @param table the next table
     * @param ids identity of each wanted label set that got one
     * @param exhausted label sets that got none because every local number is taken
     */
    public record Allocation(IdentityTable table, Map<Map<String, String>, Integer> ids,
            List<Map<String, String>> exhausted) {
        public Allocation {
            ids = Map.copyOf(ids);
            exhausted = List.copyOf(exhausted);
        }
    }

    /**
     * The table found in etcd at the start of a term: entries of another cluster ID, and a second number for a
     * label set already seen (lowest number wins), are dropped, and so pruned from etcd later. Every kept entry
     * counts as in use until the next complete pass says otherwise.
     */
    public static IdentityTable adopt(int clusterId, Map<Integer, Map<String, String>> stored) {
        SortedMap<Integer, Entry> out = new TreeMap<>();
        Map<Map<String, String>, Integer> seen = new HashMap<>();
        new TreeMap<>(stored).forEach((id, labels) -> {
            if (NumericIdentity.isAllocatable(id) && NumericIdentity.clusterId(id) == clusterId
                    && seen.putIfAbsent(Map.copyOf(labels), id) == null) {
                out.put(id, new Entry(id, labels, -1));
            }
        });
        return new IdentityTable(out);
    }

    /**
     * Gives every wanted label set an identity: the one it has, else the lowest free local number; an entry no
     * wanted set uses is marked unused now and dropped once it has been unused for {@code grace}. An incomplete
     * pass (the source has not listed every pod and namespace yet) only looks numbers up: it allocates, marks
     * and drops nothing, so a restart keeps every number and labels seen before their namespace's are not
     * numbered. Never throws: a set that finds no free number is listed in {@link Allocation#exhausted()}.
     *
     * @param wanted label sets in the order they should get numbers (duplicates are fine)
     */
    public Allocation allocate(int clusterId, Collection<Map<String, String>> wanted, boolean complete,
            long nowMillis, Duration grace) {
        Map<Map<String, String>, Integer> index = new HashMap<>();
        byId.values().forEach(e -> index.put(e.labels(), e.id()));
        Map<Map<String, String>, Integer> ids = new HashMap<>();
        List<Map<String, String>> exhausted = new ArrayList<>();
        SortedMap<Integer, Entry> next = new TreeMap<>();
        BitSet taken = new BitSet(NumericIdentity.MAX_LOCAL + 1);
        byId.keySet().forEach(id -> taken.set(NumericIdentity.local(id)));
        for (Map<String, String> w : wanted) {
            Map<String, String> labels = Map.copyOf(w);
            if (ids.containsKey(labels) || exhausted.contains(labels)) {
                continue;
            }
            Integer id = index.get(labels);
            if (id == null && !complete) {
                continue;
            }
            if (id == null) {
                int local = taken.nextClearBit(NumericIdentity.MIN_LOCAL);
                if (local > NumericIdentity.MAX_LOCAL) {
                    exhausted.add(labels);
                    continue;
                }
                taken.set(local);
                id = NumericIdentity.of(clusterId, local);
            }
            ids.put(labels, id);
            next.put(id, new Entry(id, labels, -1));
        }
        for (Entry e : byId.values()) {
            if (next.containsKey(e.id())) {
                continue;
            }
            if (!complete) {
                next.put(e.id(), e);
            } else if (e.inUse()) {
                next.put(e.id(), new Entry(e.id(), e.labels(), nowMillis));
            } else if (nowMillis - e.unusedSinceMillis() < grace.toMillis()) {
                next.put(e.id(), e);
            }
        }
        return new Allocation(new IdentityTable(next), ids, exhausted);
    }
}
