package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Hook;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Set;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.core.policy.Direction;
import dev.clustermesh.core.policy.DirectionProgram;
import dev.clustermesh.core.policy.EndpointProgram;
import dev.clustermesh.core.policy.Identities;
import dev.clustermesh.core.policy.IpBlock;
import dev.clustermesh.core.policy.PeerMatch;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.PortMatch;
import dev.clustermesh.core.policy.ProgramEntry;
import dev.clustermesh.core.policy.RuleRef;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The nftables form of a {@link PolicyProgram}: pure, from the program to the table's desired content.
 *
 * <p>Shape (table {@code inet clustermesh_policy}; every set and map twice, for IPv4 and, with the suffix
 * {@code 6}, IPv6):
 * <pre>
 * chain egress  (filter, forward, priority -10): ct state established,related accept;
 *     ip saddr vmap @egress_eps; ip6 saddr vmap @egress_eps6
 * chain ingress (filter, forward, priority -5):  ct state established,related accept;
 *     ip daddr vmap @ingress_eps; ip6 daddr vmap @ingress_eps6
 * map egress_eps, ingress_eps (6): local pod address : jump to that pod's chain (only pods with something to enforce)
 * chain pe_&lt;digest&gt;_e / _i: the deny entries (drop), the allow entries (accept), then drop when enforced;
 *     each entry's rules counted and commented with a key of its policy rule ({@link NftPolicyCounters})
 *     named after its rules, so pods with the same program (replicas, usually) share one chain; an entry with
 *     peers has one rule per family ({@code ip saddr @pp_x}, {@code ip6 saddr @pp_x6}), so a dual-stack pod's
 *     addresses share the chain and a pod of either family joining a known identity changes elements only
 * set pp_&lt;key&gt; (6): the addresses of one entry's peers (pod addresses of its identities, or CIDRs)
 * set pods, podnets (6): every known pod address, the pod CIDRs (what is not "world")
 * </pre>
 * Forward runs after prerouting's service DNAT, so policy sees the backend pod. Egress and ingress are two base
 * chains of the same hook: an accept in egress ends only that chain, and the packet goes on to ingress; a drop in
 * either is final. Reply packets of an allowed connection are established and pass.
 *
 * <p>Peers are sets named after the identities (or CIDRs) they stand for, shared by every entry with those peers,
 * holding the addresses of those identities' pods: a pod of a known identity coming or going anywhere in the mesh
 * changes elements of sets and never a rule. A new identity some selector matches, a policy change, or a pod of this
 * node whose program no other pod has, changes rules: a chain's rules never change (another program is another
 * chain, and the pods' dispatch elements move to it). Sets and chains are few (their number follows the distinct
 * selectors and programs, not the pods), which also keeps each {@code nft} command cheap: nft reads every set and
 * chain of the table before a command. A CIDR peer's set exists only for the families its blocks have.
 */
final class NftPolicy {
    static final Table TABLE = new Table("inet", "clustermesh_policy");
    static final String PODS = "pods";
    static final String PODNETS = "podnets";
    static final int EGRESS_PRIORITY = -10;
    static final int INGRESS_PRIORITY = -5;

    /** An address family of the table: how its rules match addresses and how its sets are named. */
    enum Family {
        V4("ip", "", Kind.IPV4_ADDR),
        V6("ip6", "6", Kind.IPV6_ADDR);

        /** The nft payload of rules ({@code ip saddr}, {@code ip6 saddr}). */
        final String nft;
        /** What the family's sets and maps add to their name. */
        final String suffix;
        final Kind kind;

        Family(String nft, String suffix, Kind kind) {
            this.nft = nft;
            this.suffix = suffix;
            this.kind = kind;
        }

        static Family of(InetAddress ip) {
            return ip instanceof Inet4Address ? V4 : V6;
        }

        static Family of(Cidr cidr) {
            return cidr.isIpv6() ? V6 : V4;
        }

        /** The family's set or map of that name: {@code pods}, {@code pods6}. */
        String set(String name) {
            return name + suffix;
        }
    }

    /** An address as the table's elements write it (RFC 5952 for IPv6). */
    static String key(InetAddress ip) {
        return ip instanceof Inet4Address ? dotted(ip.getAddress()) : IpAddresses.format(ip);
    }

    /** An IPv4 address in dotted decimal: what {@link InetAddress#getHostAddress()} gives, a render's hot spot. */
    private static String dotted(byte[] a) {
        char[] out = new char[15];
        int n = 0;
        for (int i = 0; i < 4; i++) {
            int b = a[i] & 0xff;
            if (i > 0) {
                out[n++] = '.';
            }
            if (b >= 100) {
                out[n++] = (char) ('0' + b / 100);
            }
            if (b >= 10) {
                out[n++] = (char) ('0' + b / 10 % 10);
            }
            out[n++] = (char) ('0' + b % 10);
        }
        return new String(out, 0, n);
    }

    /**
     * The table's desired content.
     *
     * @param sets every set and map, by name
     * @param elements per set, its elements: key (one value) → map value (empty list for a set)
     * @param chains every chain, by name, base chains included
     * @param rules per chain, its rules in order
     * @param identitySets per identity, the peer sets that hold its pods' addresses (besides {@link #PODS}), by
     *     their IPv4 name (an IPv6 address goes to the {@link Family#V6} set of the name)
     * @param ruleComments the comment on each policy rule's nft rules → that policy rule (for its counters)
     *
     * <p>The maps of {@code elements} stay mutable on purpose: the datapath owns the Desired it applied and moves
     * pod addresses in them in place after a successful transaction ({@link NftPolicyAddresses#record}), because
     * copying a table of ten thousand pods per pod change would cost more than the change. Nothing else may hold
     * a Desired the datapath applied.
     */
    record Desired(Map<String, Set> sets, Map<String, SortedMap<String, List<String>>> elements,
                   Map<String, Chain> chains, Map<String, List<String>> rules,
                   Map<Integer, java.util.Set<String>> identitySets, Map<String, RuleRef> ruleComments) {
        Desired {
            sets = Collections.unmodifiableMap(new TreeMap<>(sets));
            elements = Collections.unmodifiableMap(new TreeMap<>(elements));
            chains = Collections.unmodifiableMap(new TreeMap<>(chains));
            rules = Collections.unmodifiableMap(new TreeMap<>(rules));
            identitySets = Collections.unmodifiableMap(new HashMap<>(identitySets));
            ruleComments = Map.copyOf(ruleComments);
        }

        /** A table with nothing in it (not even the base chains): where a full sync starts from. */
        static final Desired NOTHING = new Desired(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    private NftPolicy() {
    }

    /** The table's content for {@code program}. */
    static Desired render(PolicyProgram program) {
        Builder b = new Builder(program);
        b.base();
        for (EndpointProgram ep : program.endpoints()) {
            b.endpoint(ep, Direction.EGRESS);
            b.endpoint(ep, Direction.INGRESS);
        }
        return new Desired(b.sets, b.elements, b.chains, b.rules, b.identitySets, b.ruleComments);
    }

    private static final class Builder {
        final PolicyProgram program;
        final Map<String, Set> sets = new HashMap<>();
        final Map<String, SortedMap<String, List<String>>> elements = new HashMap<>();
        final Map<String, Chain> chains = new HashMap<>();
        final Map<String, List<String>> rules = new HashMap<>();
        /** Identity → the addresses that carry it. */
        final Map<Integer, List<InetAddress>> addressesOf = new HashMap<>();
        /**
         * The chain of each program already rendered, per direction, by instance: the compiler hands pods with the
         * same program one instance, and equal programs in two instances render to the same chain anyway (it is
         * named after its rules), so hashing programs deeply per pod would buy nothing.
         */
        final Map<DirectionProgram, String> egressChains = new java.util.IdentityHashMap<>();
        final Map<DirectionProgram, String> ingressChains = new java.util.IdentityHashMap<>();
        /** Rule comment → the policy rule it stands for. */
        final Map<String, RuleRef> ruleComments = new HashMap<>();
        /** Identity → the peer sets naming it (IPv4 names). */
        final Map<Integer, java.util.Set<String>> identitySets = new HashMap<>();
        /** The peer sets whose elements are in already. */
        final java.util.Set<String> filled = new java.util.HashSet<>();

        Builder(PolicyProgram program) {
            this.program = program;
            program.ipIdentities().forEach((ip, id) -> addressesOf.computeIfAbsent(id, k -> new ArrayList<>()).add(ip));
        }

        void base() {
            for (Family f : Family.values()) {
                set(PODS, f, false, "every known pod address of the mesh");
                set(PODNETS, f, true, "the pod CIDRs of the mesh");
            }
            program.ipIdentities().keySet().forEach(ip -> element(Family.of(ip).set(PODS), key(ip), List.of()));
            program.podCidrs().forEach(c -> element(Family.of(c).set(PODNETS), cidr(c), List.of()));
            for (Direction d : Direction.values()) {
                String name = d.field();
                boolean egress = d == Direction.EGRESS;
                List<String> base = new ArrayList<>(List.of("ct state established,related accept"));
                for (Family f : Family.values()) {
                    Set vmap = new Set(f.set(name + "_eps"), List.of(Field.type(f.kind)),
                            List.of(Field.type(Kind.VERDICT)), false, "local pods to their " + name + " chain");
                    sets.put(vmap.name(), vmap);
                    elements.put(vmap.name(), new TreeMap<>());
                    base.add(f.nft + " " + (egress ? "saddr" : "daddr") + " vmap @" + vmap.name());
                }
                chains.put(name, new Chain(name, new Hook("filter", "forward", egress ? EGRESS_PRIORITY
                        : INGRESS_PRIORITY)));
                rules.put(name, base);
            }
        }

        void endpoint(EndpointProgram ep, Direction d) {
            DirectionProgram dp = ep.direction(d);
            if (!dp.enforced() && dp.denies().isEmpty()) {
                return;
            }
            Map<DirectionProgram, String> chainOf = d == Direction.EGRESS ? egressChains : ingressChains;
            String chain = chainOf.get(dp);
            if (chain == null) {
                chain = chain(dp, d == Direction.EGRESS);
                chainOf.put(dp, chain);
            }
            element(Family.of(ep.ip()).set(d.field() + "_eps"), key(ep.ip()), List.of("jump " + chain));
        }

        /** The chain of one direction's program, named after its rules: pods with the same program share it. */
        private String chain(DirectionProgram dp, boolean egress) {
            List<String> body = new ArrayList<>();
            for (ProgramEntry e : dp.denies()) {
                rules(e, egress, "drop", body);
            }
            for (ProgramEntry e : dp.allows()) {
                rules(e, egress, "accept", body);
            }
            if (dp.enforced()) {
                body.add("counter drop");
            }
            String chain = "pe_" + digest(String.join("\n", body)) + (egress ? "_e" : "_i");
            chains.put(chain, Chain.regular(chain));
            rules.put(chain, body);
            return chain;
        }

        /**
         * The rules of one entry, added to {@code body}: without peers one; with identities one per family, and one
         * more per family when they include "world"; with CIDRs one per family its blocks have.
         */
        private void rules(ProgramEntry e, boolean egress, String verdict, List<String> body) {
            String ports = ports(e.port());
            String key = "r" + digest(e.rule().toString());
            ruleComments.put(key, e.rule());
            verdict = verdict + " comment \"" + key + "\"";
            PeerMatch peer = e.peer();
            if (peer instanceof PeerMatch.IdentitySet ids) {
                String set = peerSet(peer, false);
                if (filled.add(set)) {
                    for (int id : ids.identities()) {
                        addressesOf.getOrDefault(id, List.of()).forEach(a -> element(Family.of(a).set(set), key(a),
                                List.of()));
                        identitySets.computeIfAbsent(id, k -> new java.util.TreeSet<>()).add(set);
                    }
                }
                for (Family f : Family.values()) {
                    body.add(peerAddr(f, egress) + " @" + f.set(set) + " " + ports + "counter " + verdict);
                }
                if (ids.identities().contains(Identities.WORLD)) {
                    for (Family f : Family.values()) {
                        body.add(world(f, egress) + ports + "counter " + verdict);
                    }
                }
            } else if (peer instanceof PeerMatch.CidrSet cidrs) {
                String set = peerSet(peer, true);
                boolean fill = filled.add(set);
                for (Family f : Family.values()) {
                    List<IpBlock> blocks = cidrs.blocks().stream().filter(b -> Family.of(b.cidr()) == f).toList();
                    if (blocks.isEmpty()) {
                        continue;
                    }
                    if (fill) {
                        blocks.forEach(b -> IpRanges.minus(b.cidr(), b.except()).forEach(c -> element(f.set(set), c,
                                List.of())));
                    }
                    body.add(world(f, egress) + peerAddr(f, egress) + " @" + f.set(set) + " " + ports + "counter "
                            + verdict);
                }
            } else {
                body.add(ports + "counter " + verdict);
            }
        }

        private static String peerAddr(Family f, boolean egress) {
            return f.nft + " " + (egress ? "daddr" : "saddr");
        }

        /** World of a family: not a known pod and not inside a pod CIDR. */
        private static String world(Family f, boolean egress) {
            String peerAddr = peerAddr(f, egress);
            return peerAddr + " != @" + f.set(PODS) + " " + peerAddr + " != @" + f.set(PODNETS) + " ";
        }

        private static String ports(PortMatch port) {
            if (port.protocol() == null) {
                return "";
            }
            String p = "meta l4proto " + port.protocol().name().toLowerCase(java.util.Locale.ROOT) + " ";
            if (!port.isAnyPort()) {
                p += "th dport " + (port.first() == port.last() ? Integer.toString(port.first())
                        : port.first() + "-" + port.last()) + " ";
            }
            return p;
        }

        /**
         * The set of one entry's peers, named after what it stands for (the identities, or the CIDRs): entries with
         * the same peers share it, and a pod of one of those identities coming or going changes its elements, never
         * its name or the rules naming it. New identities change what a selector stands for, hence the set's name
         * and the rules: those go through a compile anyway.
         */
        private String peerSet(PeerMatch peer, boolean interval) {
            String name = "pp_" + digest((interval ? "cidr|" : "ids|") + peer);
            if (!sets.containsKey(name)) {
                for (Family f : Family.values()) {
                    if (!interval || ((PeerMatch.CidrSet) peer).blocks().stream()
                            .anyMatch(b -> Family.of(b.cidr()) == f)) {
                        set(name, f, interval, null);
                    }
                }
            }
            return name;
        }

        private void set(String name, Family f, boolean interval, String comment) {
            String named = f.set(name);
            sets.put(named, new Set(named, List.of(Field.type(f.kind)), List.of(), interval, comment));
            elements.putIfAbsent(named, new TreeMap<>());
        }

        private void element(String set, String key, List<String> data) {
            elements.computeIfAbsent(set, k -> new TreeMap<>()).put(key, data);
        }
    }

    static String hex(InetAddress ip) {
        StringBuilder s = new StringBuilder();
        for (byte b : ip.getAddress()) {
            s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return s.toString();
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                s.append(Character.forDigit((d[i] >> 4) & 0xf, 16)).append(Character.forDigit(d[i] & 0xf, 16));
            }
            return s.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A prefix as the table's interval elements write it ({@code 10.0.0.0/8}, {@code fd00::/64}). */
    static String cidr(Cidr c) {
        return text(c.networkBytes()) + "/" + c.prefixLength();
    }

    /**
     * An address's bytes as text of their own family: an IPv4-mapped IPv6 address stays IPv6 text
     * ({@code ::ffff:0:0}), where {@link InetAddress#getByAddress(byte[])} would make it IPv4.
     */
    static String text(byte[] addr) {
        try {
            return addr.length == 4 ? key(InetAddress.getByAddress(addr))
                    : IpAddresses.format(java.net.Inet6Address.getByAddress(null, addr, -1));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
    }
}
