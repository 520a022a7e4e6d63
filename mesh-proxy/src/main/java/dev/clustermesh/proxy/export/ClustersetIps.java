package dev.clustermesh.proxy.export;

import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.Cidr;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Clusterset IPs of the services this cluster imports, from a configured CIDR. An import keeps its address for as
 * long as it exists (the previous allocation is passed back in, and adopted from etcd by a new leader); a new import
 * starts at an address derived from its name and takes the next free one, so addresses rarely depend on the order in
 * which services appear. The CIDR's first address (and, for IPv4, its last) is never handed out. Addresses are text
 * in {@link IpAddresses#format} form. Pure.
 */
public final class ClustersetIps {
    /** How many addresses a CIDR offers at most (a wider IPv6 CIDR is used from its start). */
    private static final long MAX_SIZE = 1L << 24;

    /** No CIDR: no addresses. */
    public static final ClustersetIps NONE = new ClustersetIps(null, Map.of());

    private final Cidr cidr;
    private final Map<ServiceName, String> byService;

    private ClustersetIps(Cidr cidr, Map<ServiceName, String> byService) {
        this.cidr = cidr;
        this.byService = Map.copyOf(byService);
    }

    /** An allocation in {@code cidr} holding {@code previous} (addresses outside the CIDR are dropped). */
    public static ClustersetIps of(Cidr cidr, Map<ServiceName, String> previous) {
        Map<ServiceName, String> kept = new TreeMap<>();
        if (cidr != null) {
            previous.forEach((name, ip) -> {
                if (inRange(cidr, ip)) {
                    kept.put(name, IpAddresses.format(IpAddresses.parse(ip).orElseThrow()));
                }
            });
        }
        return new ClustersetIps(cidr, kept);
    }

    /** The address of each service. */
    Map<ServiceName, String> byService() {
        return byService;
    }

    /**
     * The allocation for exactly {@code services}: existing addresses kept, new services given one, gone services'
     * addresses released. A service left without an address (the CIDR is full) is absent from the result.
     */
    ClustersetIps allocate(Collection<ServiceName> services) {
        if (cidr == null) {
            return NONE;
        }
        Map<ServiceName, String> next = new TreeMap<>();
        Set<String> used = new HashSet<>();
        for (ServiceName s : services) {
            String ip = byService.get(s);
            if (ip != null && used.add(ip)) {
                next.put(s, ip);
            }
        }
        long size = size(cidr);
        for (ServiceName s : new java.util.TreeSet<>(services.stream().filter(n -> !next.containsKey(n)).toList())) {
            if (used.size() >= size) {
                break; // full: the rest get none (and no scan of the whole CIDR each)
            }
            long start = Integer.toUnsignedLong(hash(s)) % size;
            for (long i = 0; i < size; i++) {
                String ip = address(cidr, 1 + (start + i) % size);
                if (used.add(ip)) {
                    next.put(s, ip);
                    break;
                }
            }
        }
        return new ClustersetIps(cidr, next);
    }

    /** The usable addresses of {@code cidr}: all but the first (and the IPv4 broadcast), at most {@value #MAX_SIZE}. */
    static long size(Cidr cidr) {
        int hostBits = (cidr.isIpv6() ? 128 : 32) - cidr.prefixLength();
        long all = hostBits >= 62 ? Long.MAX_VALUE : 1L << hostBits;
        return Math.max(0, Math.min(MAX_SIZE, all - (cidr.isIpv6() ? 1 : 2)));
    }

    private static boolean inRange(Cidr cidr, String ip) {
        Optional<InetAddress> a = IpAddresses.parse(ip);
        if (a.isEmpty() || !cidr.contains(a.get())) {
            return false;
        }
        long offset = new BigInteger(1, a.get().getAddress()).subtract(new BigInteger(1, cidr.network().getAddress()))
                .longValue();
        return offset >= 1 && offset <= size(cidr);
    }

    private static String address(Cidr cidr, long offset) {
        byte[] base = cidr.network().getAddress();
        byte[] sum = new BigInteger(1, base).add(BigInteger.valueOf(offset)).toByteArray();
        byte[] out = new byte[base.length];
        int n = Math.min(sum.length, out.length);
        System.arraycopy(sum, sum.length - n, out, out.length - n, n);
        try {
            return IpAddresses.format(InetAddress.getByAddress(out));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
    }

    private static int hash(ServiceName s) {
        CRC32 crc = new CRC32();
        crc.update((s.namespace() + "/" + s.name()).getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }
}
