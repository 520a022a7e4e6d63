package dev.clustermesh.agent.datapath.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.routing.Route;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RouteScriptsTest {
    static final Route C2 = new Route("10.20.1.0/24", "192.168.2.2", "cluster2", "node-2");
    static final Route C3 = new Route("10.30.1.0/24", "192.168.3.2", "cluster3", "node-3");

    record Canon(String cidr, String expected) {
    }

    static Stream<Canon> canonical() {
        return Stream.of(new Canon("10.20.1.0/24", "10.20.1.0/24"), new Canon("10.20.1.7/24", "10.20.1.0/24"),
                new Canon("10.20.1.7/32", "10.20.1.7/32"), new Canon("0.0.0.0/0", "0.0.0.0/0"),
                new Canon("fd00:0:0:0:0:0:0:0/64", "fd00::/64"), new Canon("FD00:1::5/64", "fd00:1::/64"),
                new Canon("fd00:0:0:1:0:0:0:1/128", "fd00:0:0:1::1/128"), new Canon("2001:db8:0:0:1:0:0:1/128",
                        "2001:db8::1:0:0:1/128"), new Canon("::/0", "::/0"), new Canon("fd00:1:2:3:4:5:6:7/128",
                        "fd00:1:2:3:4:5:6:7/128"), new Canon("10.20.1.0", ""), new Canon("10.20.1.0/33", ""),
                new Canon("banana/8", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonical")
    void writesCidrsAsTheKernelListsThem(Canon c) {
        assertThat(RouteScripts.canonical(c.cidr()).orElse("")).isEqualTo(c.expected());
    }

    @Test
    void keepsOneRoutePerCidrAndDropsWhatTheKernelCannotProgram() {
        SortedMap<String, Route> m = RouteScripts.byCidr(List.of(C2,
                new Route("10.20.1.0/24", "192.168.9.9", "cluster9", "node-9"),
                new Route("fd00:20::/64", "192.168.2.2", "cluster2", "node-2"),
                new Route("10.40.1.5/24", "192.168.4.2", "cluster4", "node-4"),
                new Route("10.50.1.0/24", "not-an-ip", "cluster5", "node-5")));
        assertThat(m.keySet()).containsExactly("10.20.1.0/24", "10.40.1.0/24");
        assertThat(m.get("10.20.1.0/24").via()).isEqualTo("192.168.2.2");
    }

    @Test
    void nativeModeReplacesChangedRoutesAndDeletesGoneOnes() {
        Map<String, Route> applied = RouteScripts.byCidr(List.of(C2, C3));
        Map<String, Route> desired = RouteScripts.byCidr(List.of(
                new Route("10.20.1.0/24", "192.168.2.3", "cluster2", "node-2b"),
                new Route("10.60.1.0/24", "192.168.6.2", "cluster6", "node-6")));
        assertThat(RouteScripts.deletes(applied.keySet(), desired)).containsExactly("route del 10.30.1.0/24 proto 201");
        assertThat(RouteScripts.nativeReplaces(applied, desired)).containsExactly(
                "route replace 10.20.1.0/24 via 192.168.2.3 proto 201",
                "route replace 10.60.1.0/24 via 192.168.6.2 proto 201");
        assertThat(RouteScripts.nativeReplaces(desired, desired)).isEmpty();
    }

    @Test
    void readsKernelListings() {
        assertThat(RouteScripts.routeDestinations("""
                10.20.1.0/24 via 192.168.2.2 dev ul0 onlink\s
                10.20.1.9 via 192.168.2.2 dev ul0\s
                fd00::1 via fd00::2 dev ul0 metric 1024 pref medium
                """)).containsExactly("10.20.1.0/24", "10.20.1.9/32", "fd00::1/128");
        assertThat(RouteScripts.fdbRemotes("""
                02:cb:c0:a8:02:02 dst 192.168.2.2 self permanent
                33:33:00:00:00:01 self permanent
                02:cb:c0:a8:03:02 dst 192.168.3.2 self permanent
                """)).isEqualTo(Map.of("02:cb:c0:a8:02:02", "192.168.2.2", "02:cb:c0:a8:03:02", "192.168.3.2"));
        assertThat(RouteScripts.firstWords("192.168.2.2 lladdr 02:cb:c0:a8:02:02 PERMANENT\n\n"))
                .containsExactly("192.168.2.2");
    }

    @Test
    void derivesVtepMacsFromAddresses() {
        assertThat(RouteScripts.vtepMac("192.168.2.2")).isEqualTo("02:cb:c0:a8:02:02");
        assertThat(RouteScripts.vtepMac("fd00::a:0102:0304")).isEqualTo("02:cb:01:02:03:04");
        assertThat(RouteScripts.vteps(List.of(C3, C2, new Route("10.21.0.0/16", "192.168.2.2", "cluster2", "node-2"))))
                .containsExactly(Map.entry("192.168.2.2", "02:cb:c0:a8:02:02"), Map.entry("192.168.3.2", "02:cb:c0:a8:03:02"));
    }

    @Test
    void recognisesTheTunnelDevice() {
        TunnelOptions t = new TunnelOptions("cmesh_vxlan", 2, 8472, "192.168.1.2", 1450);
        String shown = "7: cmesh_vxlan: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN\\"
                + "    link/ether 02:cb:c0:a8:01:02 brd ff:ff:ff:ff:ff:ff promiscuity 0\\    vxlan id 2 local 192.168.1.2"
                + " srcport 0 0 dstport 8472 nolearning ttl auto ageing 300";
        assertThat(RouteScripts.deviceMatches(shown, t)).isTrue();
        assertThat(RouteScripts.deviceMatches(shown.replace("id 2 ", "id 3 "), t)).isFalse();
        assertThat(RouteScripts.deviceMatches(shown.replace("dstport 8472", "dstport 4789"), t)).isFalse();
        assertThat(RouteScripts.deviceMatches(shown.replace("local 192.168.1.2", "local 192.168.1.3"), t)).isFalse();
        assertThat(RouteScripts.deviceAdd(t))
                .isEqualTo("link add cmesh_vxlan type vxlan id 2 dstport 8472 local 192.168.1.2 nolearning");
    }

    @Test
    void routingModesParseCaseInsensitively() {
        assertThat(RoutingMode.parse(" Tunnel ")).contains(RoutingMode.TUNNEL);
        assertThat(RoutingMode.parse("bgp")).isEqualTo(Optional.empty());
    }
}
