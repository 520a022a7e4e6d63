package dev.clustermesh.dns.zone;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects the names and records of a zone while it is computed; every name added also makes its ancestors up
 * to the apex exist (empty non-terminals answer NODATA, never NXDOMAIN: RFC 8020). Duplicate records are kept
 * once. Not thread-safe; used by one computation.
 */
final class ZoneTable {
    private final String apex;
    private final Map<String, Builder> nodes = new HashMap<>();
    private final Map<String, Builder> reverse = new HashMap<>();

    ZoneTable(String apex) {
        this.apex = apex;
    }

    /** Makes {@code name} (in the zone) and its ancestors exist without adding records. */
    void touch(String name) {
        for (String n = name; nodes.get(n) == null; n = DnsNames.parent(n)) {
            nodes.put(n, new Builder());
            if (n.equals(apex) || n.isEmpty()) {
                break;
            }
        }
    }

    /**
     * Adds a record to its owner name.
     *
     * @param first true to keep it in the non-rotating head of its set (the local cluster's), false to rotate it
     * @throws IllegalArgumentException when the record's type is not one a name in this zone can hold
     */
    void add(ResourceRecord rr, boolean first) {
        int slot = NameNode.slot(rr.type());
        if (slot < 0) {
            throw new IllegalArgumentException("the zone holds no " + RecordType.name(rr.type()) + " records");
        }
        touch(rr.name());
        nodes.get(rr.name()).add(slot, rr, first);
    }

    /**
     * Adds a PTR record outside the zone (under {@code in-addr.arpa} or {@code ip6.arpa}): its owner alone exists,
     * no ancestor.
     */
    void addReverse(ResourceRecord ptr) {
        if (ptr.type() != RecordType.PTR) {
            throw new IllegalArgumentException("only PTR records live outside the zone");
        }
        reverse.computeIfAbsent(ptr.name(), n -> new Builder()).add(NameNode.slot(RecordType.PTR), ptr, true);
    }

    /** The finished nodes of the zone by name. */
    Map<String, NameNode> build() {
        return build(nodes);
    }

    /** The finished reverse names (PTR owners) by name. */
    Map<String, NameNode> buildReverse() {
        return build(reverse);
    }

    private static Map<String, NameNode> build(Map<String, Builder> builders) {
        Map<String, NameNode> out = new HashMap<>(builders.size() * 2);
        builders.forEach((name, b) -> out.put(name, b.build()));
        return out;
    }

    private static final class Builder {
        private final List<Set<ResourceRecord>> head = new ArrayList<>();
        private final List<Set<ResourceRecord>> tail = new ArrayList<>();

        Builder() {
            for (int i = 0; i < NameNode.TYPES.length; i++) {
                head.add(new LinkedHashSet<>());
                tail.add(new LinkedHashSet<>());
            }
        }

        void add(int slot, ResourceRecord rr, boolean first) {
            if (first) {
                tail.get(slot).remove(rr);
                head.get(slot).add(rr);
            } else if (!head.get(slot).contains(rr)) {
                tail.get(slot).add(rr);
            }
        }

        NameNode build() {
            RrSet[] sets = new RrSet[NameNode.TYPES.length];
            for (int i = 0; i < sets.length; i++) {
                List<ResourceRecord> all = new ArrayList<>(head.get(i));
                all.addAll(tail.get(i));
                sets[i] = all.isEmpty() ? RrSet.EMPTY : new RrSet(all, head.get(i).size());
            }
            return new NameNode(sets);
        }
    }
}
