package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.nftables.NftFrontend.Family;
import dev.clustermesh.agent.datapath.nftables.NftFrontend.Target;
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
 * Renders the agent's nftables table from the LB maps. Pure: the same maps give the same text.
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
    /** Ahead of kube-proxy's {@code dstnat} (-100) on prerouting and output. */
    static final int PRIORITY = -110;
    static final String NO_BACKENDS = "no_backends";
    /** The protocols with a slot map, as nft names them. */
    static final List<String> PROTOCOLS = List.of("tcp", "udp", "sctp");

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
                targets.add(new Target(b.ip(), b.port()));
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
        NftText b = NftText.whole();
        table(b, frontends, returnPath, schema);
        return b.text();
    }

    /** Renders the table into {@code b}, in pieces when {@code b} streams. */
    static void table(NftText b, Collection<NftFrontend> frontends, NftReturnPath returnPath, String schema) {
        b.append("table inet ").append(TABLE).append(" {\n");
        for (Family f : Family.values()) {
            b.append("\tmap services").append(f.suffix).append(" {\n\t\ttype ")
                    .append(f == Family.V4 ? "ipv4_addr" : "ipv6_addr").append(" . inet_proto . inet_service : verdict\n");
            elements(b, frontends, f, null);
            b.append("\t}\n");
            NftDigests.declare(b, f, frontends, schema);
            for (String p : PROTOCOLS) {
                b.append("\tmap ").append(slotMap(f, p)).append(" {\n\t\ttypeof ").append(f.address).append(" daddr . ")
                        .append(p).append(" dport . numgen random mod 1 : ").append(f.address).append(" daddr . ")
                        .append(p).append(" dport\n");
                elements(b, frontends, f, p);
                b.append("\t}\n");
            }
        }
        for (String chain : chains(frontends)) {
            b.append("\tchain ").append(chain).append(" {\n\t\t").append(chainRule(chain)).append("\n\t}\n");
        }
        b.append("\tchain ").append(NO_BACKENDS).append(" {\n")
                .append("\t\tmeta l4proto tcp reject with tcp reset\n")
                .append("\t\treject with icmpx type port-unreachable\n\t}\n");
        baseChain(b, "prerouting");
        baseChain(b, "output");
        returnPath.declare(b);
        b.append("}\n");
    }

    /**
     * A full sync: replaces the table in one transaction. {@code add} first makes the {@code delete} valid when
     * the table does not exist yet; existing connections keep their NAT (it lives in conntrack).
     */
    static String fullSync(Collection<NftFrontend> frontends) {
        return fullSync(frontends, NftReturnPath.NONE);
    }

    /** As {@link #fullSync(Collection)}, with the remote pods of {@code returnPath}. */
    static String fullSync(Collection<NftFrontend> frontends, NftReturnPath returnPath) {
        NftText b = NftText.whole();
        fullSync(b, frontends, returnPath);
        return b.text();
    }

    /** As {@link #fullSync(Collection, NftReturnPath)}, into {@code b}. */
    static void fullSync(NftText b, Collection<NftFrontend> frontends, NftReturnPath returnPath) {
        b.append("add table inet " + TABLE + "\ndelete table inet " + TABLE + "\n");
        table(b, frontends, returnPath, NftDigests.schema());
    }

    /** The load-balancing chains the frontends use, sorted. */
    static SortedSet<String> chains(Collection<NftFrontend> frontends) {
        SortedSet<String> chains = new TreeSet<>();
        for (NftFrontend f : frontends) {
            if (f.count() > 0) {
                chains.add(chain(f));
            }
        }
        return chains;
    }

    /** The chain a frontend jumps to: {@code lbF_P_K}, or {@code no_backends}. */
    static String chain(NftFrontend f) {
        return f.count() == 0 ? NO_BACKENDS : "lb" + f.family().suffix + "_" + f.protocol() + "_" + f.count();
    }

    /** The slot map of family {@code f} and protocol {@code p}: {@code backendsF_P}. */
    static String slotMap(Family f, String p) {
        return "backends" + f.suffix + "_" + p;
    }

    /** The one rule of load-balancing chain {@code lbF_P_K}. */
    static String chainRule(String chain) {
        String[] parts = chain.split("_");
        Family f = parts[0].equals("lb6") ? Family.V6 : Family.V4;
        String p = parts[1];
        return "meta l4proto " + p + " dnat " + f.address + " to " + f.address + " daddr . " + p
                + " dport . numgen random mod " + parts[2] + " map @" + slotMap(f, p);
    }

    /** {@code addr . proto . port}: a frontend's key in the services map. */
    static String key(NftFrontend f) {
        return f.frontend().ip() + " . " + f.protocol() + " . " + f.frontend().port();
    }

    /** A services map element. */
    static String serviceElement(NftFrontend f) {
        return key(f) + " : goto " + chain(f);
    }

    /** {@code addr . port . slot}: a slot's key in the frontend's slot map. */
    static String slotKey(NftFrontend f, int slot) {
        return f.frontend().ip() + " . " + f.frontend().port() + " . " + slot;
    }

    /** A slot map element for slot {@code slot}. */
    static String slotElement(NftFrontend f, int slot) {
        Target t = f.targets().get(slot);
        return slotKey(f, slot) + " : " + t.ip() + " . " + t.port();
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

    /** The services map's elements ({@code protocol} null), or one slot map's, of {@code family}. */
    private static void elements(NftText b, Collection<NftFrontend> frontends, Family family, String protocol) {
        boolean any = false;
        for (NftFrontend f : frontends) {
            if (f.family() != family || protocol != null && !protocol.equals(f.protocol())) {
                continue;
            }
            for (int i = 0; i < (protocol != null ? f.count() : 1); i++) {
                b.append(any ? ",\n\t\t\t" : "\t\telements = { ")
                        .append(protocol != null ? slotElement(f, i) : serviceElement(f)).boundary();
                any = true;
            }
        }
        if (any) {
            b.append(" }\n");
        }
    }

    private static void baseChain(NftText b, String hook) {
        b.append("\tchain ").append(hook).append(" {\n\t\ttype nat hook ").append(hook).append(" priority ")
                .append(PRIORITY).append("; policy accept;\n")
                // Never matches (untracked packets skip nat chains), but a ct expression makes the kernel track
                // connections in this namespace: without it, and before any service has a backend (no dnat rule
                // yet), nat chains are not run at all and no_backends would silently not reject.
                .append("\t\tct state invalid drop\n");
        for (Family f : Family.values()) {
            b.append("\t\t").append(f.address).append(" daddr . meta l4proto . th dport vmap @services")
                    .append(f.suffix).append('\n');
        }
        b.append("\t}\n");
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
