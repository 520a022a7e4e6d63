package dev.clustermesh.agent.datapath.routes;

import dev.clustermesh.agent.routing.Route;
import dev.clustermesh.core.net.IpAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders {@code ip -batch} and {@code bridge -batch} lines for the routes to remote clusters, and reads back
 * what the kernel lists. Pure.
 *
 * <p>Every route the agent programs carries {@code proto 201}: that is how a full sync finds the agent's own
 * routes (and only those) to prune, next to routes of the CNI, DHCP or an operator.
 */
final class RouteScripts {
    /** The routing protocol number marking the agent's routes (unassigned in iproute2's rt_protos). */
    static final String PROTO = "201";

    private RouteScripts() {
    }

    /**
     * The routes to program, one per canonical CIDR (the first route in order wins when two nodes claim the
     * same CIDR). Routes whose CIDR or next hop is malformed, or whose next hop is of another address family,
     * are left out: the kernel cannot program them.
     */
    static SortedMap<String, Route> byCidr(Collection<Route> routes) {
        SortedMap<String, Route> out = new TreeMap<>();
        for (Route r : routes) {
            Optional<String> cidr = canonical(r.cidr());
            Optional<InetAddress> via = IpAddresses.parse(r.via());
            if (cidr.isPresent() && via.isPresent() && cidr.get().contains(":") == r.via().contains(":")) {
                out.putIfAbsent(cidr.get(), r);
            }
        }
        return out;
    }

    /** Lines that delete the routes in {@code existing} that are not desired. */
    static List<String> deletes(Collection<String> existing, Map<String, Route> desired) {
        List<String> out = new ArrayList<>();
        for (String cidr : existing) {
            if (!desired.containsKey(cidr)) {
                out.add("route del " + cidr + " proto " + PROTO);
            }
        }
        return out;
    }

    /** Native routing: the routes in {@code desired} that differ from {@code applied}, via the remote node. */
    static List<String> nativeReplaces(Map<String, Route> applied, Map<String, Route> desired) {
        List<String> out = new ArrayList<>();
        desired.forEach((cidr, r) -> {
            Route was = applied.get(cidr);
            if (was == null || !was.via().equals(r.via())) {
                out.add("route replace " + cidr + " via " + r.via() + " proto " + PROTO);
            }
        });
        return out;
    }

    /**
     * Tunnel mode: the routes in {@code desired} that differ from {@code applied}, via the remote node's VTEP
     * address on the VXLAN device ({@code onlink}: it is not on any subnet of the device).
     */
    static List<String> tunnelReplaces(Map<String, Route> applied, Map<String, Route> desired, String device) {
        List<String> out = new ArrayList<>();
        desired.forEach((cidr, r) -> {
            Route was = applied.get(cidr);
            if (was == null || !was.via().equals(r.via())) {
                out.add("route replace " + cidr + " via " + r.via() + " dev " + device + " onlink proto " + PROTO);
            }
        });
        return out;
    }

    /** The remote VTEPs (next hops) of {@code routes}, each with its MAC address, in order. */
    static Map<String, String> vteps(Collection<Route> routes) {
        Map<String, String> out = new LinkedHashMap<>();
        routes.stream().map(Route::via).sorted().forEach(ip -> out.putIfAbsent(ip, vtepMac(ip)));
        return out;
    }

    /**
     * The MAC address of the VTEP with underlay address {@code ip}: {@code 02:cb} (locally administered,
     * unicast) and the address's last four bytes. Every agent derives the same MAC for a node from its Node
     * record, so no MAC has to be exported.
     */
    static String vtepMac(String ip) {
        byte[] a = IpAddresses.parse(ip).orElseThrow(() -> new IllegalArgumentException("not an IP: " + ip))
                .getAddress();
        int n = a.length;
        return String.format("02:cb:%02x:%02x:%02x:%02x", a[n - 4] & 0xff, a[n - 3] & 0xff, a[n - 2] & 0xff,
                a[n - 1] & 0xff);
    }

    /** {@code ip link add} for the tunnel device; no learning: the FDB is programmed. */
    static String deviceAdd(TunnelOptions t) {
        return "link add " + t.device() + " type vxlan id " + t.vni() + " dstport " + t.port() + " local "
                + t.localIp() + " nolearning";
    }

    /** Whether {@code ip -d -o link show dev DEV} describes a VXLAN device with the tunnel's VNI, port and address. */
    static boolean deviceMatches(String linkShow, TunnelOptions t) {
        String s = linkShow.replace('\n', ' ') + " ";
        return s.contains(" vxlan id " + t.vni() + " ") && s.contains(" local " + t.localIp() + " ")
                && s.contains(" dstport " + t.port() + " ");
    }

    /** The first word of every non-empty line: the destinations of {@code ip -o route show}, or neighbours. */
    static List<String> firstWords(String listing) {
        List<String> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty()) {
                out.add(t.split("\\s+", 2)[0]);
            }
        }
        return out;
    }

    /** Destinations of {@code ip -o route show}: host routes are listed without their prefix length. */
    static List<String> routeDestinations(String listing) {
        List<String> out = new ArrayList<>();
        for (String dst : firstWords(listing)) {
            out.add(dst.contains("/") ? dst : dst + (dst.contains(":") ? "/128" : "/32"));
        }
        return out;
    }

    /** {@code mac -> dst} of the unicast entries with a remote in {@code bridge fdb show dev DEV}. */
    static Map<String, String> fdbRemotes(String listing) {
        Map<String, String> out = new TreeMap<>();
        for (String line : listing.split("\n")) {
            String[] w = line.strip().split("\\s+");
            for (int i = 1; i + 1 < w.length; i++) {
                if (w[i].equals("dst")) {
                    out.put(w[0], w[i + 1]);
                    break;
                }
            }
        }
        return out;
    }

    /**
     * The CIDR as the kernel lists it: host bits cleared, IPv6 compressed (RFC 5952), so that what a full sync
     * reads back compares equal to what it programs.
     *
     * @return empty when {@code cidr} is malformed
     */
    static Optional<String> canonical(String cidr) {
        if (IpAddresses.cidrProblem(cidr).isPresent()) {
            return Optional.empty();
        }
        int slash = cidr.indexOf('/');
        byte[] a = IpAddresses.parse(cidr.substring(0, slash)).orElseThrow().getAddress();
        int bits = Integer.parseInt(cidr.substring(slash + 1));
        for (int i = 0; i < a.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            a[i] = (byte) (a[i] & (0xff << (8 - keep)));
        }
        try {
            return Optional.of(IpAddresses.format(InetAddress.getByAddress(a)) + "/" + bits);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
    }
}
