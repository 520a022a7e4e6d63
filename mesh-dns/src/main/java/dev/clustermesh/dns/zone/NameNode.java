package dev.clustermesh.dns.zone;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Everything one name holds, by type; a node without records is an empty non-terminal (it exists: NODATA). */
final class NameNode {
    /** The types a name can hold, in the order ANY lists them. */
    static final int[] TYPES = {RecordType.SOA, RecordType.NS, RecordType.A, RecordType.AAAA, RecordType.SRV,
        RecordType.TXT, RecordType.PTR};

    private final RrSet[] sets;
    private final int count;

    NameNode(RrSet[] sets) {
        this.sets = sets.clone();
        int n = 0;
        for (RrSet s : sets) {
            n += s.records().size();
        }
        this.count = n;
    }

    /** Index of {@code type} in {@link #TYPES}, or -1 when no name holds that type. */
    static int slot(int type) {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == type) {
                return i;
            }
        }
        return -1;
    }

    /** The records of one type in answer order; empty when the name holds none. */
    List<ResourceRecord> get(int type, long rotation) {
        int slot = slot(type);
        return slot < 0 ? List.of() : sets[slot].ordered(rotation);
    }

    /** Every record of the name (QTYPE ANY). */
    List<ResourceRecord> all(long rotation) {
        List<ResourceRecord> out = new ArrayList<>(count);
        for (RrSet s : sets) {
            out.addAll(s.ordered(rotation));
        }
        return out;
    }

    /** Number of records held. */
    int size() {
        return count;
    }

    /** A copy holding {@code set} in place of the records of its type. */
    NameNode with(int type, RrSet set) {
        RrSet[] copy = sets.clone();
        copy[slot(type)] = set;
        return new NameNode(copy);
    }

    /** Equal when every type holds the same records in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof NameNode n && Arrays.equals(n.sets, sets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sets);
    }
}
