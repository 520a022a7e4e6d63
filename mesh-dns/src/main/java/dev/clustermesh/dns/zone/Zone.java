package dev.clustermesh.dns.zone;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One immutable state of the zone: every name with its records, indexed for answering. Safe to share between
 * threads; {@link #answer} is a hash lookup and never throws.
 */
public final class Zone {
    private final ZoneSettings settings;
    private final long serial;
    private final long meshVersion;
    private final Map<String, NameNode> names;
    private final Map<String, NameNode> reverse;
    private final ResourceRecord soa;
    private final List<ResourceRecord> negativeAuthority;
    private final int namesServed;

    Zone(ZoneSettings settings, long serial, long meshVersion, Map<String, NameNode> names,
            Map<String, NameNode> reverse, ResourceRecord soa) {
        this.settings = settings;
        this.serial = serial;
        this.meshVersion = meshVersion;
        this.names = Map.copyOf(names);
        this.reverse = Map.copyOf(reverse);
        this.soa = soa;
        // RFC 2308 §3: the negative-caching TTL is the smaller of the SOA's TTL and its MINIMUM; both are the TTL.
        this.negativeAuthority = List.of(soa);
        this.namesServed = (int) this.names.values().stream().filter(n -> n.size() > 0).count() + this.reverse.size();
    }

    /**
     * The answer to one question.
     *
     * @param rotation a number that changes per query (a counter); it rotates the remote clusters' addresses
     * @return REFUSED outside the zone (a reverse name this zone holds no PTR for included), for a class other
     *         than IN/ANY and for zone transfers; NXDOMAIN with the SOA for a name that does not exist; NOERROR with
     *         the SOA and no answer (NODATA) for a name that exists without the type; otherwise the records,
     *         authoritative. A reverse name with PTR records answers them, or NODATA without SOA for other types.
     */
    public Answer answer(Question q, long rotation) {
        if (q.dnsClass() != RecordType.CLASS_IN && q.dnsClass() != RecordType.CLASS_ANY
                || q.type() == RecordType.AXFR || q.type() == RecordType.IXFR) {
            return Answer.refused();
        }
        String name = DnsNames.canonical(q.name());
        if (!DnsNames.inZone(name, settings.apex())) {
            NameNode ptr = reverse.get(name);
            if (ptr == null) {
                return Answer.refused();
            }
            List<ResourceRecord> records = q.type() == RecordType.ANY ? ptr.all(rotation) : ptr.get(q.type(), rotation);
            return new Answer(Answer.NOERROR, true, records, List.of(), List.of());
        }
        NameNode node = names.get(name);
        if (node == null) {
            return new Answer(Answer.NXDOMAIN, true, List.of(), negativeAuthority, List.of());
        }
        List<ResourceRecord> records = q.type() == RecordType.ANY ? node.all(rotation) : node.get(q.type(), rotation);
        if (records.isEmpty()) {
            return new Answer(Answer.NOERROR, true, List.of(), negativeAuthority, List.of());
        }
        return new Answer(Answer.NOERROR, true, records, List.of(), additional(records, rotation));
    }

    /** Addresses of the in-zone targets of SRV and NS records, each target once. */
    private List<ResourceRecord> additional(List<ResourceRecord> records, long rotation) {
        Set<String> targets = null;
        for (ResourceRecord r : records) {
            if (r.target() != null) {
                if (targets == null) {
                    targets = new LinkedHashSet<>();
                }
                targets.add(r.target());
            }
        }
        if (targets == null) {
            return List.of();
        }
        List<ResourceRecord> out = new ArrayList<>();
        for (String t : targets) {
            NameNode n = names.get(t);
            if (n != null) {
                out.addAll(n.get(RecordType.A, rotation));
                out.addAll(n.get(RecordType.AAAA, rotation));
            }
        }
        return out;
    }

    public ZoneSettings settings() {
        return settings;
    }

    /** The SOA serial. */
    public long serial() {
        return serial;
    }

    /** The {@link dev.clustermesh.core.mesh.MeshSnapshot#version()} this zone was computed from. */
    public long meshVersion() {
        return meshVersion;
    }

    /** The apex SOA record. */
    public ResourceRecord soa() {
        return soa;
    }

    /** Number of names that hold at least one record, reverse names (PTR) included. */
    public int namesServed() {
        return namesServed;
    }

    /** True when {@code name} (zone form) exists, with records or as an empty non-terminal. */
    public boolean exists(String name) {
        return names.containsKey(name);
    }

    /**
     * Every record, one per line in zone-file form, sorted by name, then in answer order, the reverse names
     * (PTR) last (for golden tests).
     */
    public String dump() {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(names).forEach((name, node) -> node.all(0).forEach(r -> b.append(r).append('\n')));
        new TreeMap<>(reverse).forEach((name, node) -> node.all(0).forEach(r -> b.append(r).append('\n')));
        return b.toString();
    }

    /** True when both zones hold the same names with the same records in the same order, SOA included. */
    public boolean sameRecords(Zone other) {
        return names.equals(other.names) && reverse.equals(other.reverse);
    }

    /** This zone with another SOA serial and nothing else changed. */
    public Zone withSerial(long newSerial) {
        ResourceRecord newSoa = ZoneCompute.soa(settings, newSerial);
        Map<String, NameNode> copy = new HashMap<>(names);
        copy.put(settings.apex(), names.get(settings.apex()).with(RecordType.SOA, new RrSet(List.of(newSoa), 1)));
        return new Zone(settings, newSerial, meshVersion, copy, reverse, newSoa);
    }
}
