package dev.clustermesh.dns.zone;

import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Computes the whole zone from one mesh snapshot. Pure: no I/O, no clock; the serial is given. */
public final class ZoneCompute {
    /** The MCS DNS specification version served in {@code dns-version.<zone>}. */
    public static final String SPEC_VERSION = "1.0.0";
    static final int SOA_REFRESH = 7200;
    static final int SOA_RETRY = 1800;
    static final int SOA_EXPIRE = 86400;

    private ZoneCompute() {
    }

    /**
     * The zone for {@code snapshot}: the apex (SOA, NS, the nameserver's addresses when it is in the zone),
     * {@code dns-version} TXT, and every global service's names (see {@link ServiceRecords}).
     *
     * @param serial the SOA serial (callers make it increase with every change)
     * @param onSkipped receives a message for each service left out because a name is not a DNS label
     */
    public static Zone compute(ZoneSettings settings, MeshSnapshot snapshot, long serial, Consumer<String> onSkipped) {
        ZoneTable table = new ZoneTable(settings.apex());
        ResourceRecord soa = apex(table, settings, serial);
        Map<ServiceName, List<ClusterService>> sorted = new TreeMap<>(snapshot.services());
        java.util.function.Predicate<String> stale = c -> !c.equals(settings.localCluster())
                && snapshot.clusters().containsKey(c) && snapshot.clusters().get(c).stale();
        sorted.forEach((name, services) -> ServiceRecords.add(table, settings, name, services,
                snapshot.imports().get(name), stale, onSkipped));
        return new Zone(settings, serial, snapshot.version(), table.build(), table.buildReverse(), soa);
    }

    /** {@link #compute(ZoneSettings, MeshSnapshot, long, Consumer)} ignoring skipped services. */
    public static Zone compute(ZoneSettings settings, MeshSnapshot snapshot, long serial) {
        return compute(settings, snapshot, serial, m -> { });
    }

    /** A zone with only the apex records and {@code dns-version}: what is served before the first snapshot. */
    public static Zone empty(ZoneSettings settings, long serial) {
        return compute(settings, new MeshSnapshot(0, Map.of(), Map.of(), Map.of(), 0), serial);
    }

    /** The apex SOA record with {@code serial}. */
    static ResourceRecord soa(ZoneSettings s, long serial) {
        long ttl = s.ttlSeconds();
        return ResourceRecord.soa(s.apex(), ttl, s.nameserver(), "hostmaster." + s.apex(), serial & 0xffffffffL,
                SOA_REFRESH, SOA_RETRY, SOA_EXPIRE, (int) ttl);
    }

    private static ResourceRecord apex(ZoneTable table, ZoneSettings s, long serial) {
        long ttl = s.ttlSeconds();
        ResourceRecord soa = soa(s, serial);
        table.add(soa, true);
        table.add(ResourceRecord.ns(s.apex(), ttl, s.nameserver()), true);
        table.add(ResourceRecord.txt("dns-version." + s.apex(), ttl, SPEC_VERSION), true);
        if (DnsNames.inZone(s.nameserver(), s.apex())) {
            table.touch(s.nameserver());
            for (InetAddress ip : s.nameserverAddresses()) {
                table.add(ResourceRecord.address(s.nameserver(), ttl, ip), true);
            }
        }
        return soa;
    }
}
