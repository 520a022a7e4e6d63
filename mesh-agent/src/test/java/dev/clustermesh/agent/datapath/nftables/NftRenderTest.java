package dev.clustermesh.agent.datapath.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.loadbalancer.LbBackend;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbIds;
import dev.clustermesh.agent.loadbalancer.LbMaps;
import dev.clustermesh.agent.loadbalancer.LbService;
import dev.clustermesh.agent.routing.Route;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NftRenderTest {
    /** Two IPv4 services (one without usable backends) and an IPv6 one. */
    private static final String GOLDEN_TABLE = """
                table inet clustermesh {
                \tmap services4 {
                \t\ttype ipv4_addr . inet_proto . inet_service : verdict
                \t\telements = { 10.11.0.10 . tcp . 80 : goto lb4_tcp_2,
                \t\t\t10.11.0.11 . udp . 53 : goto no_backends }
                \t}
                \tset digests4 {
                \t\ttype ipv4_addr . inet_proto . inet_service
                \t\tcomment "clustermesh schema #"
                \t\telements = { 10.11.0.10 . tcp . 80 comment "2 #",
                \t\t\t10.11.0.11 . udp . 53 comment "0 #" }
                \t}
                \tmap backends4_tcp {
                \t\ttypeof ip daddr . tcp dport . numgen random mod 1 : ip daddr . tcp dport
                \t\telements = { 10.11.0.10 . 80 . 0 : 10.10.1.1 . 8080,
                \t\t\t10.11.0.10 . 80 . 1 : 10.20.1.1 . 8080 }
                \t}
                \tmap backends4_udp {
                \t\ttypeof ip daddr . udp dport . numgen random mod 1 : ip daddr . udp dport
                \t}
                \tmap backends4_sctp {
                \t\ttypeof ip daddr . sctp dport . numgen random mod 1 : ip daddr . sctp dport
                \t}
                \tmap services6 {
                \t\ttype ipv6_addr . inet_proto . inet_service : verdict
                \t\telements = { fd00::10 . tcp . 443 : goto lb6_tcp_1 }
                \t}
                \tset digests6 {
                \t\ttype ipv6_addr . inet_proto . inet_service
                \t\tcomment "clustermesh schema #"
                \t\telements = { fd00::10 . tcp . 443 comment "1 #" }
                \t}
                \tmap backends6_tcp {
                \t\ttypeof ip6 daddr . tcp dport . numgen random mod 1 : ip6 daddr . tcp dport
                \t\telements = { fd00::10 . 443 . 0 : fd00:1::1 . 8443 }
                \t}
                \tmap backends6_udp {
                \t\ttypeof ip6 daddr . udp dport . numgen random mod 1 : ip6 daddr . udp dport
                \t}
                \tmap backends6_sctp {
                \t\ttypeof ip6 daddr . sctp dport . numgen random mod 1 : ip6 daddr . sctp dport
                \t}
                \tchain lb4_tcp_2 {
                \t\tmeta l4proto tcp dnat ip to ip daddr . tcp dport . numgen random mod 2 map @backends4_tcp
                \t}
                \tchain lb6_tcp_1 {
                \t\tmeta l4proto tcp dnat ip6 to ip6 daddr . tcp dport . numgen random mod 1 map @backends6_tcp
                \t}
                \tchain no_backends {
                \t\tmeta l4proto tcp reject with tcp reset
                \t\treject with icmpx type port-unreachable
                \t}
                \tchain prerouting {
                \t\ttype nat hook prerouting priority -110; policy accept;
                \t\tct state invalid drop
                \t\tip daddr . meta l4proto . th dport vmap @services4
                \t\tip6 daddr . meta l4proto . th dport vmap @services6
                \t}
                \tchain output {
                \t\ttype nat hook output priority -110; policy accept;
                \t\tct state invalid drop
                \t\tip daddr . meta l4proto . th dport vmap @services4
                \t\tip6 daddr . meta l4proto . th dport vmap @services6
                \t}
                \tset remote_pods4 {
                \t\ttype ipv4_addr
                \t\tflags interval
                \t\tauto-merge
                \t\telements = { 10.20.1.0/24,
                \t\t\t10.30.0.0/16 }
                \t}
                \tset remote_pods6 {
                \t\ttype ipv6_addr
                \t\tflags interval
                \t\tauto-merge
                \t}
                \tchain postrouting {
                \t\ttype nat hook postrouting priority 100; policy accept;
                \t\tct status dnat ip saddr @remote_pods4 masquerade
                \t\tct status dnat ip6 saddr @remote_pods6 masquerade
                \t}
                }
                """;

    /** Builds LB maps from compact specs: "frontend -> backend[~ = not usable][*weight], ...". */
    static LbMaps maps(String... services) {
        TreeMap<LbFrontend, LbService> svc = new TreeMap<>();
        TreeMap<Integer, LbBackend> be = new TreeMap<>();
        int id = 1;
        for (String spec : services) {
            String[] parts = spec.split(" -> ", -1);
            LbFrontend f = frontend(parts[0]);
            List<LbService.Slot> slots = new ArrayList<>();
            for (String spec0 : parts[1].isEmpty() ? new String[0] : parts[1].split(", ")) {
                int star = spec0.indexOf('*');
                int weight = star < 0 ? 1 : Integer.parseInt(spec0.substring(star + 1));
                String b = star < 0 ? spec0 : spec0.substring(0, star);
                boolean usable = !b.endsWith("~");
                String[] ipPort = split(usable ? b : b.substring(0, b.length() - 1));
                be.put(id, new LbBackend(id, ipPort[0], f.protocol(), Integer.parseInt(ipPort[1]), "c1", 1,
                        usable ? BackendState.BACKEND_STATE_ACTIVE : BackendState.BACKEND_STATE_TERMINATING));
                slots.add(new LbService.Slot(id++, false, usable, usable ? weight : 0));
            }
            svc.put(f, new LbService(svc.size() + 1, f, new ServiceName("default", "s" + svc.size()),
                    Affinity.AFFINITY_NONE, slots, false));
        }
        return new LbMaps(svc, be, LbIds.EMPTY);
    }

    /** {@code 10.11.0.10:80/TCP} or {@code [fd00::10]:80/UDP}. */
    static LbFrontend frontend(String text) {
        String[] addrProto = text.split("/");
        String[] ipPort = split(addrProto[0]);
        return new LbFrontend(ipPort[0], Protocol.valueOf(addrProto[1]), Integer.parseInt(ipPort[1]));
    }

    private static String[] split(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        return new String[] {host, hostPort.substring(colon + 1)};
    }

    @Test
    void rendersTheWholeTable() {
        LbMaps lb = maps("10.11.0.10:80/TCP -> 10.10.1.1:8080, 10.10.1.2:8080~, 10.20.1.1:8080",
                "10.11.0.11:53/UDP -> ", "[fd00::10]:443/TCP -> [fd00:1::1]:8443");

        NftReturnPath pods = NftReturnPath.of(List.of(new Route("10.30.0.0/16", "192.168.3.2", "cluster3", "node-3"),
                new Route("10.20.1.0/24", "192.168.2.2", "cluster2", "node-2"),
                new Route("10.21.0.0/16", "192.168.2.2", "cluster2", "node-2", Route.Kind.SERVICE)));

        assertThat(NftRender.table(NftablesDatapath.frontends(lb), pods).replace(NftDigests.schema(), "#")
                .replaceAll("comment \"(\\d+) [0-9a-f]{16}\"", "comment \"$1 #\"")).isEqualTo(GOLDEN_TABLE);
    }

    @Test
    void onlyTheRemotePodSetsThatChangedAreRewritten() {
        NftReturnPath before = NftReturnPath.of(List.of(new Route("10.20.1.0/24", "192.168.2.2", "cluster2", "node-2"),
                new Route("fd00:20:1::/64", "fd00::2", "cluster2", "node-2")));
        NftReturnPath after = NftReturnPath.of(List.of(new Route("10.20.1.0/24", "192.168.2.2", "cluster2", "node-2"),
                new Route("10.30.1.0/24", "192.168.3.2", "cluster3", "node-3"),
                new Route("fd00:20:1::/64", "fd00::2", "cluster2", "node-2")));

        assertThat(update(after, before)).containsExactly("flush set inet clustermesh remote_pods4",
                "add element inet clustermesh remote_pods4 { 10.20.1.0/24, 10.30.1.0/24 }");
        assertThat(update(NftReturnPath.NONE, after)).containsExactly("flush set inet clustermesh remote_pods4",
                "flush set inet clustermesh remote_pods6");
        assertThat(update(after, after)).isEmpty();
    }

    private static List<String> update(NftReturnPath after, NftReturnPath before) {
        NftTransaction tx = NftRender.transaction();
        after.update(tx, before);
        return tx.commands();
    }

    @Test
    void aFullSyncReplacesTheTableInOneTransaction() {
        assertThat(NftRender.fullSync(List.of())).startsWith("""
                add table inet clustermesh
                delete table inet clustermesh
                table inet clustermesh {
                \tmap services4 {
                \t\ttype ipv4_addr . inet_proto . inet_service : verdict
                \t}
                """);
        assertThat(NftRender.fullSync(List.of())).contains("""
                \tset digests4 {
                \t\ttype ipv4_addr . inet_proto . inet_service
                \t\tcomment "clustermesh schema %s"
                \t}
                """.formatted(NftDigests.schema()));
    }

    @Test
    void eachFrontendHasADigestsElementWithItsCountAndTargetDigest() {
        LbMaps lb = maps("10.11.0.10:80/TCP -> 10.10.1.1:8080, 10.20.1.1:8080",
                "10.11.0.11:80/TCP -> 10.20.1.1:8080, 10.10.1.1:8080", "10.11.0.12:80/TCP -> 10.10.1.1:8080, 10.20.1.1:8080",
                "10.11.0.13:80/TCP -> 10.10.1.1:8081, 10.20.1.1:8080", "10.11.0.14:80/TCP -> ", "10.11.0.15:81/UDP -> ");
        List<String> digests = NftablesDatapath.frontends(lb).stream().map(NftDigests::digest).toList();

        assertThat(digests.get(0)).as("same targets, same digest").isEqualTo(digests.get(2)).matches("[0-9a-f]{16}");
        assertThat(digests.get(1)).as("slot order counts").isNotEqualTo(digests.get(0));
        assertThat(digests.get(3)).as("ports count").isNotEqualTo(digests.get(0));
        assertThat(digests.get(4)).isEqualTo(digests.get(5));
        assertThat(NftDigests.element(NftablesDatapath.frontends(lb).get(0)))
                .isEqualTo("10.11.0.10 . tcp . 80 comment \"2 " + digests.get(0) + "\"");
        assertThat(NftDigests.schema()).matches("[0-9a-f]{16}");
    }

    @Test
    void theSchemaDigestIsTheOneTheStringRendererWrote() {
        // The value the issue 5 renderer (strings, before the typed transaction) computed: tables older agents left
        // are adopted, not replaced. A deliberate change of the table's shape updates it (and replaces them once).
        assertThat(NftDigests.schema()).isEqualTo("0f882b4ae6102757");
    }

    record Case(String name, String spec, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> frontends() {
        return Stream.of(
                new Case("usable slots only, in order", "10.11.0.10:80/TCP -> 10.0.0.1:1~, 10.0.0.2:2, 10.0.0.3:3",
                        "tcp [10.0.0.2:2, 10.0.0.3:3]"),
                new Case("a weight repeats the backend's slot (graded failover)",
                        "10.11.0.10:80/TCP -> 10.0.0.1:1*3, 10.0.0.2:2, 10.0.0.3:3~",
                        "tcp [10.0.0.1:1, 10.0.0.1:1, 10.0.0.1:1, 10.0.0.2:2]"),
                new Case("no usable backend: rejected", "10.11.0.10:80/UDP -> 10.0.0.1:1~", "udp []"),
                new Case("sctp", "10.11.0.10:80/SCTP -> 10.0.0.1:1", "sctp [10.0.0.1:1]"),
                new Case("backends of the other family are left out", "10.11.0.10:80/TCP -> [fd00::1]:1, 10.0.0.2:2",
                        "tcp [10.0.0.2:2]"),
                new Case("invalid backend address is left out", "10.11.0.10:80/TCP -> 10.0.0.256:1, 10.0.0.2:2",
                        "tcp [10.0.0.2:2]"),
                new Case("unknown protocol: not programmed", "10.11.0.10:80/PROTOCOL_UNSPECIFIED -> 10.0.0.1:1",
                        "none"),
                new Case("invalid frontend address: not programmed", "10.11.0.010:80/TCP -> 10.0.0.1:1", "none"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frontends")
    void rendersOneFrontend(Case c) {
        LbMaps lb = maps(c.spec());
        Optional<NftFrontend> f = NftRender.frontend(lb.services().values().iterator().next(), lb.backends());
        assertThat(f.map(x -> x.protocol() + " " + x.targets().stream().map(t -> t.ip() + ":" + t.port()).toList())
                .orElse("none")).isEqualTo(c.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipv4")
    void checksIpv4Literals(String text, boolean valid) {
        assertThat(NftRender.isIpv4(text)).isEqualTo(valid);
    }

    static Stream<Object[]> ipv4() {
        return Stream.of(new Object[] {"10.11.0.10", true}, new Object[] {"0.0.0.0", true},
                new Object[] {"255.255.255.255", true}, new Object[] {"256.1.1.1", false},
                new Object[] {"10.1.1", false}, new Object[] {"10.1.1.1.1", false}, new Object[] {"10.01.1.1", false},
                new Object[] {"10.1.1.1 ", false}, new Object[] {"a.b.c.d", false}, new Object[] {"", false},
                new Object[] {"1.2.3.4; flush ruleset", false});
    }
}
