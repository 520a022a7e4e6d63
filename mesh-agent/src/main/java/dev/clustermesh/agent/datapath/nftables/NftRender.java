package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftFrontend.Family;
import dev.clustermesh.agent.datapath.nftables.NftFrontend.LbChain;
import dev.clustermesh.agent.datapath.nftables.NftFrontend.Target;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Chain;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Element;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Field;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Hook;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Kind;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Rule;
import dev.clustermesh.agent.datapath.nftables.NftObjects.Table;
import dev.clustermesh.agent.loadbalancer.LbBackend;
import dev.clustermesh.agent.loadbalancer.LbService;
import dev.clustermesh.core.net.IpAddresses;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds the agent's nftables table from the LB maps as typed {@link NftTransaction} operations, which
 * {@link NftBlock} writes as nft text. Pure: the same maps give the same operations.
 *
 * <p>Shape (Cilium-style backend slots; see TOOLCHAIN.md for why not one chain per service): a verdict map
 * {@code services4}/{@code services6} from {@code daddr . l4proto . dport} to {@code goto lbF_P_K}; one chain
 * per family F, protocol P and usable-backend count K, that DNATs through the slot map {@code backendsF_P}
 * keyed by {@code daddr . dport . numgen random mod K}; base chains on prerouting and output at priority -110,
 * ahead of kube-proxy's {@code dstnat} (-100). A frontend without usable backends jumps to {@code no_backends},
 * which rejects (TCP reset, else ICMP port unreachable): the client fails at once instead of timing out, and the
 * packet does not fall through to kube-proxy's rules for the same ClusterIP. A {@code postrouting} chain
 * masquerades DNAT-ed connections from remote clusters' pods, so their replies come back through this node
 * ({@link NftReturnPath}). Sets {@code digests4}/{@code digests6} record each frontend's slot count and target
 * digest for a restarted agent ({@link NftDigests}).
 *
 * <p>Why a slot map per protocol: its typeof data must name a transport header ({@code tcp dport}); with the
 * generic {@code th dport} nft 1.0.6 loads the map but can no longer add a rule using it once it is in the kernel
 * ("conflicting protocols specified: ip vs. th"), so a chain for a new count could not be added incrementally.
 *
 * <p>Why random and not consistent hashing: the chains are of type nat, so only a connection's first packet
 * is load-balanced and conntrack keeps every later packet (and the reply) on that backend, which is the
 * stickiness that matters. A hash over the tuple would not keep flows on their backend when K changes either
 * ({@code mod K} remaps most of them; that needs Maglev tables), and spreads less evenly when many connections
 * share a client address. kube-proxy's nftables mode makes the same choice.
 */
final class NftRender {
    /** The agent's own table; nothing else is ever read or written. */
    static final String TABLE = "clustermesh";
    /** {@link #TABLE} in family {@code inet}. */
    static final Table REF = new Table("inet", TABLE);
    /** Ahead of kube-proxy's {@code dstnat} (-100) on prerouting and output. */
    static final int PRIORITY = -110;
    static final String NO_BACKENDS = "no_backends";
    /** The protocols with a slot map, as nft names them. */
    static final List<String> PROTOCOLS = List.of("tcp", "udp", "sctp");
    private static final String[] DECIMALS = new String[65536];

    private NftRender() {
    }

    /**
     * The rules for one service: its usable slots in order, skipping backends of the other address family (no
     * DNAT across families) and invalid addresses.
     *
     * @return empty when the frontend itself cannot be programmed (unknown protocol, invalid address)
     */
    static Optional<NftFrontend> frontend(LbService service, Map<Integer, LbBackend> backends) {
        Optional<Family> family = family(service.frontend().ip());
        String protocol = protocol(service.frontend().protocol());
        if (family.isEmpty() || protocol == null || !validPort(service.frontend().port())) {
            return Optional.empty();
        }
        List<Target> targets = new ArrayList<>();
        for (LbService.Slot slot : service.slots()) {
            LbBackend b = backends.get(slot.backendId());
            if (slot.usable() && b != null && validPort(b.port()) && family(b.ip()).equals(family)) {
                // A weighted backend (graded failover) takes as many consecutive slots as its weight.
                for (int i = 0; i < slot.weight(); i++) {
                    targets.add(new Target(b.ip(), b.port()));
                }
            }
        }
        return Optional.of(new NftFrontend(service.frontend(), family.get(), protocol, targets));
    }

    /** The whole table as one {@code nft -f} block, without remote pods. */
    static String table(Collection<NftFrontend> frontends) {
        return table(frontends, NftReturnPath.NONE);
    }

    /** The whole table as one {@code nft -f} block. */
    static String table(Collection<NftFrontend> frontends, NftReturnPath returnPath) {
        return table(frontends, returnPath, NftDigests.schema());
    }

    /** The table, with {@code schema} as the comment of the digests sets. */
    static String table(Collection<NftFrontend> frontends, NftReturnPath returnPath, String schema) {
        NftTransaction tx = new NftTransaction(REF, List.of());
        table(tx, frontends, returnPath, schema);
        return tx.render();
    }

    /**
     * Adds the table with everything in it to {@code tx}: declarations first (maps, sets, chains and their rules),
     * then the elements, which {@link NftBlock} writes inside their maps.
     */
    static void table(NftTransaction tx, Collection<NftFrontend> frontends, NftReturnPath returnPath, String schema) {
        tx.add(REF);
        for (Family f : Family.values()) {
            tx.add(servicesMap(f)).add(NftDigests.declaration(f, schema));
            for (String p : PROTOCOLS) {
                tx.add(slotMap(f, p));
            }
        }
        for (LbChain chain : chains(frontends)) {
            tx.add(Chain.regular(chain.name())).add(new Rule(chain.name(), chain.rule()));
        }
        tx.add(Chain.regular(NO_BACKENDS)).add(new Rule(NO_BACKENDS, "meta l4proto tcp reject with tcp reset"))
                .add(new Rule(NO_BACKENDS, "reject with icmpx type port-unreachable"));
        baseChain(tx, "prerouting");
        baseChain(tx, "output");
        returnPath.declare(tx);
        for (NftFrontend f : frontends) {
            slotElements(tx, f);
        }
        for (NftFrontend f : frontends) {
            tx.add(NftDigests.entry(f));
        }
        for (NftFrontend f : frontends) {
            tx.add(serviceElement(f));
        }
    }

    /**
     * A full sync: replaces the table in one transaction. {@code add} first makes the {@code delete} valid when
     * the table does not exist yet; existing connections keep their NAT (it lives in conntrack).
     */
    static String fullSync(Collection<NftFrontend> frontends) {
        return replace(frontends, NftReturnPath.NONE).render();
    }

    /** The transaction of {@link #fullSync(Collection)}, with the remote pods of {@code returnPath}. */
    static NftTransaction replace(Collection<NftFrontend> frontends, NftReturnPath returnPath) {
        NftTransaction tx = new NftTransaction(REF, List.of());
        tx.add(REF).delete(REF);
        table(tx, frontends, returnPath, NftDigests.schema());
        return tx;
    }

    /** A transaction on the table as this code declares it: elements are checked against these maps. */
    static NftTransaction transaction() {
        return new NftTransaction(REF, Declarations.ALL);
    }

    /** The load-balancing chains the frontends use, sorted. */
    static SortedSet<LbChain> chains(Collection<NftFrontend> frontends) {
        SortedSet<LbChain> chains = new TreeSet<>();
        for (NftFrontend f : frontends) {
            f.chain().ifPresent(chains::add);
        }
        return chains;
    }

    /** The chain a frontend jumps to: {@code lbF_P_K}, or {@code no_backends}. */
    static String chain(NftFrontend f) {
        return f.chain().map(LbChain::name).orElse(NO_BACKENDS);
    }

    /** The verdict map of family {@code f}: {@code daddr . l4proto . dport} to a chain. */
    static NftObjects.Set servicesMap(Family f) {
        return new NftObjects.Set("services" + f.suffix, List.of(Field.type(address(f)), Field.type(Kind.INET_PROTO),
                Field.type(Kind.INET_SERVICE)), List.of(Field.type(Kind.VERDICT)), false, null);
    }

    /** The slot map of family {@code f} and protocol {@code p}: {@code backendsF_P}. */
    static NftObjects.Set slotMap(Family f, String p) {
        Field daddr = Field.typeOf(address(f), f.address + " daddr");
        Field dport = Field.typeOf(Kind.INET_SERVICE, p + " dport");
        return new NftObjects.Set("backends" + f.suffix + "_" + p,
                List.of(daddr, dport, Field.typeOf(Kind.INTEGER, "numgen random mod 1")), List.of(daddr, dport), false,
                null);
    }

    static Kind address(Family f) {
        return f == Family.V4 ? Kind.IPV4_ADDR : Kind.IPV6_ADDR;
    }

    /**
     * {@code n} in decimal. The strings of ports and slot numbers are made once: a full sync of 10,000 services
     * writes 220,000 of them. Racing threads may each make one; any of them is the same text.
     */
    static String decimal(int n) {
        if (n < 0 || n >= DECIMALS.length) {
            return Integer.toString(n);
        }
        String s = DECIMALS[n];
        if (s == null) {
            s = Integer.toString(n);
            DECIMALS[n] = s;
        }
        return s;
    }

    /** {@code addr . proto . port}: a frontend's key in the services map and the digests set. */
    static List<String> key(NftFrontend f) {
        return List.of(f.frontend().ip(), f.protocol(), decimal(f.frontend().port()));
    }

    /** A services map element: the frontend's key and its chain. */
    static Element serviceElement(NftFrontend f) {
        return new Element("services" + f.family().suffix, key(f), List.of("goto " + chain(f)), null);
    }

    /** The services map element of {@code f}, to delete. */
    static Element serviceKey(NftFrontend f) {
        return Element.ofKey("services" + f.family().suffix, key(f));
    }

    /** {@code addr . port . slot}: a slot's key in the frontend's slot map, to delete. */
    static Element slotKey(NftFrontend f, int slot) {
        return Element.ofKey(slotMapName(f), List.of(f.frontend().ip(), decimal(f.frontend().port()),
                decimal(slot)));
    }

    /** A slot map element for slot {@code slot}. */
    static Element slotElement(NftFrontend f, int slot) {
        Target t = f.targets().get(slot);
        return new Element(slotMapName(f), List.of(f.frontend().ip(), decimal(f.frontend().port()),
                decimal(slot)), List.of(t.ip(), decimal(t.port())), null);
    }

    /** Adds every slot element of {@code f}: {@link #slotElement} for each slot, the shared strings made once. */
    private static void slotElements(NftTransaction tx, NftFrontend f) {
        String map = slotMapName(f);
        String ip = f.frontend().ip();
        String port = decimal(f.frontend().port());
        for (int i = 0; i < f.count(); i++) {
            Target t = f.targets().get(i);
            tx.add(new Element(map, List.of(ip, port, decimal(i)), List.of(t.ip(), decimal(t.port())),
                    null));
        }
    }

    private static String slotMapName(NftFrontend f) {
        return "backends" + f.family().suffix + "_" + f.protocol();
    }

    static Optional<Family> family(String ip) {
        if (ip == null) {
            return Optional.empty();
        }
        if (ip.indexOf(':') < 0) {
            return isIpv4(ip) ? Optional.of(Family.V4) : Optional.empty();
        }
        return IpAddresses.isLiteral(ip) ? Optional.of(Family.V6) : Optional.empty();
    }

    private static void baseChain(NftTransaction tx, String hook) {
        // The ct rule never matches (untracked packets skip nat chains), but a ct expression makes the kernel track
        // connections in this namespace: without it, and before any service has a backend (no dnat rule yet), nat
        // chains are not run at all and no_backends would silently not reject.
        tx.add(new Chain(hook, new Hook("nat", hook, PRIORITY))).add(new Rule(hook, "ct state invalid drop"));
        for (Family f : Family.values()) {
            tx.add(new Rule(hook, f.address + " daddr . meta l4proto . th dport vmap @services" + f.suffix));
        }
    }

    /** Every map and set of the table, with an empty schema comment on the digests sets' declarations. */
    private static final class Declarations {
        static final List<NftObjects.Set> ALL = all();

        private static List<NftObjects.Set> all() {
            List<NftObjects.Set> out = new ArrayList<>();
            for (Family f : Family.values()) {
                out.add(servicesMap(f));
                out.add(NftDigests.declaration(f, NftDigests.schema()));
                PROTOCOLS.forEach(p -> out.add(slotMap(f, p)));
            }
            out.addAll(NftReturnPath.sets());
            return List.copyOf(out);
        }
    }

    private static String protocol(dev.clustermesh.proto.mesh.v1.Protocol p) {
        return switch (p) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case SCTP -> "sctp";
            default -> null;
        };
    }

    private static boolean validPort(int port) {
        return port > 0 && port < 65536;
    }

    /** Dotted quad without leading zeros (nft would read {@code 010} as octal). Cheap: called per backend. */
    static boolean isIpv4(String s) {
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (i < n && parts < 4) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                value = value * 10 + (s.charAt(i++) - '0');
            }
            int len = i - start;
            if (len == 0 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
                return false;
            }
            parts++;
            if (i < n && parts < 4) {
                if (s.charAt(i) != '.') {
                    return false;
                }
                i++;
            }
        }
        return parts == 4 && i == n;
    }
}
