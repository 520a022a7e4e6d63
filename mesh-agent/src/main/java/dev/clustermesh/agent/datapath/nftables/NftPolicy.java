package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Hook;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Set;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
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
 * <p>Shape (table {@code inet clustermesh_policy}, IPv4):
 * <pre>
 * chain egress  (filter, forward, priority -10): ct state established,related accept; ip saddr vmap @egress_eps
 * chain ingress (filter, forward, priority -5):  ct state established,related accept; ip daddr vmap @ingress_eps
 * map egress_eps, ingress_eps: local pod address : jump to that pod's chain (only pods with something to enforce)
 * chain pe_&lt;digest&gt;_e / _i: the deny entries (drop), the allow entries (accept), then drop when enforced;
 *     each entry's rules counted and commented with a key of its policy rule ({@link NftPolicyCounters})
 *     named after its rules, so pods with the same program (replicas, usually) share one chain

 * set pp_&lt;key&gt;: the addresses of one entry's peers (pod addresses of its identities, or CIDRs)
 * set pods, podnets: every known pod address, the pod CIDRs (what is not "world")
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
 * chain of the table before a command. IPv6 endpoints and blocks are not programmed yet.
 */
final class NftPolicy {
    static final Table TABLE = new Table("inet", "clustermesh_policy");
    static final String PODS = "pods";
    static final String PODNETS = "podnets";
    static final int EGRESS_PRIORITY = -10;
    static final int INGRESS_PRIORITY = -5;

    /**
     * The table's desired content.
     *
     * @param sets every set and map, by name
     * @param elements per set, its elements: key (one value) → map value (empty list for a set)
     * @param chains every chain, by name, base chains included
     * @param rules per chain, its rules in order
     * @param identitySets per identity, the peer sets that hold its pods' addresses (besides {@link #PODS})
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
            if (ep.ip() instanceof Inet4Address) {
                b.endpoint(ep, Direction.EGRESS);
                b.endpoint(ep, Direction.INGRESS);
            }
        }
        return new Desired(b.sets, b.elements, b.chains, b.rules, b.identitySets, b.ruleComments);
    }

    private static final class Builder {
        final PolicyProgram program;
        final Map<String, Set> sets = new HashMap<>();
        final Map<String, SortedMap<String, List<String>>> elements = new HashMap<>();
        final Map<String, Chain> chains = new HashMap<>();
        final Map<String, List<String>> rules = new HashMap<>();
        /** Identity → the IPv4 addresses that carry it. */
        final Map<Integer, List<String>> addressesOf = new HashMap<>();
        /**
         * The chain of each program already rendered, per direction, by instance: the compiler hands pods with the
         * same program one instance, and equal programs in two instances render to the same chain anyway (it is
         * named after its rules), so hashing programs deeply per pod would buy nothing.
         */
        final Map<DirectionProgram, String> egressChains = new java.util.IdentityHashMap<>();
        final Map<DirectionProgram, String> ingressChains = new java.util.IdentityHashMap<>();
        /** Rule comment → the policy rule it stands for. */
        final Map<String, RuleRef> ruleComments = new HashMap<>();
        /** Identity → the peer sets naming it. */
        final Map<Integer, java.util.Set<String>> identitySets = new HashMap<>();
        /** The peer sets whose elements are in already. */
        final java.util.Set<String> filled = new java.util.HashSet<>();

        Builder(PolicyProgram program) {
            this.program = program;
            program.ipIdentities().forEach((ip, id) -> {
                if (ip instanceof Inet4Address) {
                    addressesOf.computeIfAbsent(id, k -> new ArrayList<>()).add(ip.getHostAddress());
                }
            });
        }

        void base() {
            set(PODS, false, "every known pod address of the mesh");
            program.ipIdentities().keySet().stream().filter(ip -> ip instanceof Inet4Address)
                    .forEach(ip -> element(PODS, ip.getHostAddress(), List.of()));
            set(PODNETS, true, "the pod CIDRs of the mesh");
            program.podCidrs().stream().filter(c -> !c.isIpv6()).forEach(c -> element(PODNETS, c.toString(), List.of()));
            for (Direction d : Direction.values()) {
                String name = d.field();
                boolean egress = d == Direction.EGRESS;
                Set vmap = new Set(name + "_eps", List.of(Field.type(Kind.IPV4_ADDR)), List.of(Field.type(Kind.VERDICT)),
                        false, "local pods to their " + name + " chain");
                sets.put(vmap.name(), vmap);
                elements.put(vmap.name(), new TreeMap<>());
                chains.put(name, new Chain(name, new Hook("filter", "forward", egress ? EGRESS_PRIORITY
                        : INGRESS_PRIORITY)));
                rules.put(name, List.of("ct state established,related accept",
                        "ip " + (egress ? "saddr" : "daddr") + " vmap @" + vmap.name()));
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
            element(d.field() + "_eps", ep.ip().getHostAddress(), List.of("jump " + chain));
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

        /** The rules of one entry, added to {@code body}: one, or two when the peers include "world". */
        private void rules(ProgramEntry e, boolean egress, String verdict, List<String> body) {
            String peerAddr = "ip " + (egress ? "daddr" : "saddr");
            String ports = ports(e.port());
            String key = "r" + digest(e.rule().toString());
            ruleComments.put(key, e.rule());
            verdict = verdict + " comment \"" + key + "\"";
            // World: not a known pod and not inside a pod CIDR.
            String world = peerAddr + " != @" + PODS + " " + peerAddr + " != @" + PODNETS + " ";
            PeerMatch peer = e.peer();
            if (peer instanceof PeerMatch.IdentitySet ids) {
                String set = peerSet(peer, false);
                if (filled.add(set)) {
                    for (int id : ids.identities()) {
                        addressesOf.getOrDefault(id, List.of()).forEach(a -> element(set, a, List.of()));
                        identitySets.computeIfAbsent(id, k -> new java.util.TreeSet<>()).add(set);
                    }
                }
                body.add(peerAddr + " @" + set + " " + ports + "counter " + verdict);
                if (ids.identities().contains(Identities.WORLD)) {
                    body.add(world + ports + "counter " + verdict);
                }
            } else if (peer instanceof PeerMatch.CidrSet cidrs) {
                String set = peerSet(peer, true);
                for (IpBlock block : filled.add(set) ? cidrs.blocks() : List.<IpBlock>of()) {
                    if (!block.cidr().isIpv6()) {
                        Ipv4Ranges.minus(block.cidr(), block.except()).forEach(c -> element(set, c, List.of()));
                    }
                }
                body.add(world + peerAddr + " @" + set + " " + ports + "counter " + verdict);
            } else {
                body.add(ports + "counter " + verdict);
            }
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
                set(name, interval, null);
            }
            return name;
        }

        private void set(String name, boolean interval, String comment) {
            sets.put(name, new Set(name, List.of(Field.type(Kind.IPV4_ADDR)), List.of(), interval, comment));
            elements.putIfAbsent(name, new TreeMap<>());
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

    /** IPv4 prefix arithmetic: a block with its exceptions cut out, as the fewest CIDRs. */
    static final class Ipv4Ranges {
        private Ipv4Ranges() {
        }

        static List<String> minus(Cidr block, List<Cidr> except) {
            List<long[]> ranges = new ArrayList<>();
            ranges.add(range(block));
            for (Cidr e : except) {
                if (e.isIpv6()) {
                    continue;
                }
                long[] cut = range(e);
                List<long[]> next = new ArrayList<>();
                for (long[] r : ranges) {
                    if (cut[1] < r[0] || cut[0] > r[1]) {
                        next.add(r);
                        continue;
                    }
                    if (cut[0] > r[0]) {
                        next.add(new long[] {r[0], cut[0] - 1});
                    }
                    if (cut[1] < r[1]) {
                        next.add(new long[] {cut[1] + 1, r[1]});
                    }
                }
                ranges = next;
            }
            List<String> out = new ArrayList<>();
            for (long[] r : ranges) {
                long start = r[0];
                while (start <= r[1]) {
                    int bits = 32;
                    while (bits > 0) {
                        long size = 1L << (33 - bits);
                        if ((start & (size - 1)) != 0 || start + size - 1 > r[1]) {
                            break;
                        }
                        bits--;
                    }
                    out.add(text(start) + "/" + bits);
                    start += 1L << (32 - bits);
                }
            }
            return out;
        }

        private static long[] range(Cidr c) {
            byte[] a = c.network().getAddress();
            long start = ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
            return new long[] {start, start + (1L << (32 - c.prefixLength())) - 1};
        }

        private static String text(long v) {
            return (v >> 24 & 0xff) + "." + (v >> 16 & 0xff) + "." + (v >> 8 & 0xff) + "." + (v & 0xff);
        }
    }
}
