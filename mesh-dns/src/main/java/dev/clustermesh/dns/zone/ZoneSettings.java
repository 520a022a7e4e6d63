package dev.clustermesh.dns.zone;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * What an operator sets for the zone, validated.
 *
 * @param apex the zone apex, zone form ({@code clusterset.local})
 * @param ttl the TTL of every record and of negative answers (SOA minimum), whole seconds
 * @param localCluster the cluster this server runs in: its ClusterIP answers first
 * @param nameserver the NS target and SOA MNAME, zone form
 * @param nameserverAddresses addresses served for the nameserver when it is inside the zone; may be empty
 * @param importClusterRecords also serve {@code <cluster>.<svc>} for services imported with a clusterset IP (the MCS
 *     DNS specification has none for them; off by default)
 */
public record ZoneSettings(String apex, Duration ttl, String localCluster, String nameserver,
        List<InetAddress> nameserverAddresses, boolean importClusterRecords) {
    /** The defaults: zone {@code clusterset.local}, TTL 5 s. */
    public static final String DEFAULT_APEX = "clusterset.local";
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

    /**
     * @throws IllegalArgumentException naming the value when the apex or nameserver is not a valid name, the
     *         nameserver is in the zone without an address, the TTL is negative or above 2^31-1 seconds, or the
     *         cluster name is not a label
     */
    public ZoneSettings {
        nameserverAddresses = List.copyOf(nameserverAddresses);
        if (!DnsNames.isName(apex)) {
            throw new IllegalArgumentException("zone '" + apex + "' is not a lowercase DNS name without trailing dot");
        }
        if (!DnsNames.isName(nameserver)) {
            throw new IllegalArgumentException("nameserver '" + nameserver + "' is not a lowercase DNS name");
        }
        if (DnsNames.inZone(nameserver, apex) && nameserverAddresses.isEmpty()) {
            throw new IllegalArgumentException("nameserver '" + nameserver + "' is inside zone '" + apex
                    + "' and needs an address (glue)");
        }
        if (ttl.isNegative() || ttl.getSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TTL " + ttl + " is outside 0..2147483647 seconds");
        }
        if (!DnsNames.isLabel(localCluster)) {
            throw new IllegalArgumentException("cluster name '" + localCluster + "' is not a DNS label");
        }
    }

    /** Settings without {@code <cluster>.<svc>} names for ClusterSetIP imports. */
    public ZoneSettings(String apex, Duration ttl, String localCluster, String nameserver,
            List<InetAddress> nameserverAddresses) {
        this(apex, ttl, localCluster, nameserver, nameserverAddresses, false);
    }

    /** Settings with the default nameserver {@code ns.dns.<apex>} at the loopback address (tests, the demo). */
    public static ZoneSettings of(String apex, Duration ttl, String localCluster) {
        return new ZoneSettings(apex, ttl, localCluster, "ns.dns." + apex, List.of(InetAddress.getLoopbackAddress()));
    }

    /** The TTL in seconds. */
    public long ttlSeconds() {
        return ttl.getSeconds();
    }
}
