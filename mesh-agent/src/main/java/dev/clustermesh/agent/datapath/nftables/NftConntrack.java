package dev.clustermesh.agent.datapath.nftables;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.core.net.IpAddresses;
import dev.clustermesh.core.policy.EndpointProgram;
import dev.clustermesh.core.policy.PolicyProgram;
import dev.clustermesh.core.policy.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Strict mode's half in the kernel: the node's connection-tracking entries that a policy program denies, listed and
 * deleted with the {@code conntrack} tool (conntrack-tools). Once its entry is gone, the connection's next packet is
 * no longer "established" and meets the policy chains like a new one. A connection is judged as the forward hook
 * judged its first packet: the client is the original source, the server the reply's source (the backend pod, after
 * a service's DNAT), the port the server's.
 */
final class NftConntrack {
    /**
     * One tracked connection.
     *
     * @param client the original source
     * @param server the reply's source (after a service's DNAT, the backend)
     * @param port the server's port
     * @param deleteArgs the {@code conntrack -D} arguments naming exactly its original tuple
     * @param destination the original destination (a service's frontend address, when DNAT-ed)
     * @param destinationPort the original destination port
     * @param state its TCP state ({@code ESTABLISHED}, {@code TIME_WAIT}, ...); empty for other protocols
     */
    record Flow(Protocol protocol, InetAddress client, InetAddress server, int port, List<String> deleteArgs,
            InetAddress destination, int destinationPort, String state) {
    }

    private NftConntrack() {
    }

    /** Whether {@code token} is [A-Z_]+ (a TCP state), by hand: every word of every listed connection is asked. */
    private static boolean upperWord(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if ((c < 'A' || c > 'Z') && c != '_') {
                return false;
            }
        }
        return !token.isEmpty();
    }

    /** The connections of {@code conntrack -L} output with ports (TCP, UDP, SCTP); other lines are skipped. */
    static List<Flow> parse(String listing) {
        List<Flow> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] t = line.trim().split("\\s+");
            Optional<Protocol> protocol = switch (t[0].toLowerCase(Locale.ROOT)) {
                case "tcp" -> Optional.of(Protocol.TCP);
                case "udp" -> Optional.of(Protocol.UDP);
                case "sctp" -> Optional.of(Protocol.SCTP);
                default -> Optional.empty();
            };
            Map<String, List<String>> fields = new HashMap<>();
            String state = "";
            for (String token : t) {
                int eq = token.indexOf('=');
                if (eq > 0) {
                    fields.computeIfAbsent(token.substring(0, eq), k -> new ArrayList<>()).add(token.substring(eq + 1));
                } else if (state.isEmpty() && protocol.orElse(null) == Protocol.TCP && upperWord(token)) {
                    state = token; // TCP lines: "tcp 6 <timeout> <STATE> src=..."
                }
            }
            if (protocol.isEmpty() || !complete(fields)) {
                continue;
            }
            Optional<InetAddress> client = IpAddresses.parse(fields.get("src").get(0));
            Optional<InetAddress> server = IpAddresses.parse(fields.get("src").get(1));
            Optional<InetAddress> destination = IpAddresses.parse(fields.get("dst").get(0));
            if (client.isEmpty() || server.isEmpty() || destination.isEmpty()) {
                continue;
            }
            out.add(new Flow(protocol.get(), client.get(), server.get(), Integer.parseInt(fields.get("sport").get(1)),
                    List.of("-p", t[0].toLowerCase(Locale.ROOT), "-s", fields.get("src").get(0), "-d",
                            fields.get("dst").get(0), "--sport", fields.get("sport").get(0), "--dport",
                            fields.get("dport").get(0)), destination.get(),
                    Integer.parseInt(fields.get("dport").get(0)), state));
        }
        return out;
    }

    private static boolean complete(Map<String, List<String>> fields) {
        for (String k : List.of("src", "dst", "sport", "dport")) {
            List<String> v = fields.get(k);
            if (v == null || v.size() < 2 || (k.endsWith("port") && !v.get(0).chars().allMatch(Character::isDigit))
                    || (k.endsWith("port") && !v.get(1).chars().allMatch(Character::isDigit))) {
                return false;
            }
        }
        return true;
    }

    /** The flows {@code program} denies: ingress where the server is a local pod, egress where the client is. */
    static List<Flow> denied(List<Flow> flows, PolicyProgram program) {
        Map<InetAddress, EndpointProgram> local = new HashMap<>();
        program.endpoints().forEach(e -> local.put(e.ip(), e));
        List<Flow> out = new ArrayList<>();
        for (Flow f : flows) {
            EndpointProgram server = local.get(f.server());
            EndpointProgram client = local.get(f.client());
            boolean in = server == null || server.ingress().decide(program.identityOf(f.client()), f.client(),
                    f.protocol(), f.port()).allowed();
            boolean out2 = client == null || client.egress().decide(program.identityOf(f.server()), f.server(),
                    f.protocol(), f.port()).allowed();
            if (!in || !out2) {
                out.add(f);
            }
        }
        return out;
    }

    /** Lists the node's connections and deletes those {@code program} denies; returns how many went. */
    static int cutDenied(NetworkNamespace netns, PolicyProgram program, Duration timeout) {
        int cut = 0;
        RuntimeException failed = null;
        for (String family : List.of("ipv4", "ipv6")) {
            try {
                cut += cutDenied(netns, program, timeout, family);
            } catch (RuntimeException e) {
                // The other family is still cut; the failure is told once both were tried.
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw new IllegalStateException((cut > 0 ? "cut " + cut + " connections, but " : "") + failed.getMessage(),
                    failed);
        }
        return cut;
    }

    private static int cutDenied(NetworkNamespace netns, PolicyProgram program, Duration timeout, String family) {
        String listing;
        try {
            listing = netns.run(List.of("conntrack", "-L", "-f", family), "", timeout);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot list " + family + " connections with conntrack (install "
                    + "conntrack-tools: apt-get install -y conntrack): " + e.getMessage(), e);
        }
        int cut = 0;
        for (Flow f : denied(parse(listing), program)) {
            List<String> delete = new ArrayList<>(List.of("conntrack", "-D", "-f", family));
            delete.addAll(f.deleteArgs());
            try {
                netns.run(delete, "", timeout);
                cut++;
            } catch (RuntimeException e) {
                // Gone meanwhile (conntrack -D exits 1 when nothing matched): nothing left to cut.
            }
        }
        return cut;
    }
}
