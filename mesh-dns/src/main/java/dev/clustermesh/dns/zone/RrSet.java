package dev.clustermesh.dns.zone;

import java.util.ArrayList;
import java.util.List;

/**
 * The records of one name and type, in answer order: the first {@code fixed} stay first (the local cluster's),
 * the rest rotate by one position per query.
 */
record RrSet(List<ResourceRecord> records, int fixed) {
    static final RrSet EMPTY = new RrSet(List.of(), 0);

    RrSet {
        records = List.copyOf(records);
    }

    /** The records for the query numbered {@code rotation}. */
    List<ResourceRecord> ordered(long rotation) {
        int rotating = records.size() - fixed;
        if (rotating < 2) {
            return records;
        }
        int shift = (int) Math.floorMod(rotation, (long) rotating);
        if (shift == 0) {
            return records;
        }
        List<ResourceRecord> out = new ArrayList<>(records.size());
        out.addAll(records.subList(0, fixed));
        out.addAll(records.subList(fixed + shift, records.size()));
        out.addAll(records.subList(fixed, fixed + shift));
        return out;
    }
}
