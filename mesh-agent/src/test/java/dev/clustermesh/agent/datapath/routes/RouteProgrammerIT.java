package dev.clustermesh.agent.datapath.routes;

import static dev.clustermesh.agent.datapath.netlab.NetnsLab.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.datapath.NetworkNamespace;
import dev.clustermesh.agent.datapath.netlab.NetnsLab;
import dev.clustermesh.agent.routing.Route;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Route programming in a real namespace: what the kernel lists after each apply. Packets: DatapathWalkthroughIT. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RouteProgrammerIT {
    private static final Route C2 = new Route("10.20.1.0/24", "192.168.2.2", "cluster2", "node-2");
    private static final Route C3 = new Route("10.30.1.0/24", "192.168.3.2", "cluster3", "node-3");
    private static final TunnelOptions TUNNEL = new TunnelOptions("cmt_vx", 2, 8472, "192.168.1.2", 1450);
    private NetnsLab lab;
    private String ns;

    @BeforeAll
    void lab() {
        lab = NetnsLab.open("cmt5r");
    }

    @AfterAll
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void node() {
        ns = lab.namespace("node");
        // A veth pair rather than a dummy device: this kernel has no dummy driver.
        exec(ns, "ip", "link", "add", "ul0", "type", "veth", "peer", "name", "ul1");
        exec(ns, "ip", "link", "set", "ul1", "up");
        exec(ns, "ip", "addr", "add", "192.168.1.2/16", "dev", "ul0");
        exec(ns, "ip", "link", "set", "ul0", "up");
        // An operator's route in the same table: never touched.
        exec(ns, "ip", "route", "add", "10.99.0.0/16", "via", "192.168.9.9", "proto", "static");
    }

    @AfterEach
    void removeNode() {
        exec(null, "ip", "netns", "del", ns);
    }

    private static SortedSet<Route> routes(Route... r) {
        return new TreeSet<>(java.util.List.of(r));
    }

    private String routeTable() {
        return exec(ns, "ip", "route", "show");
    }

    @Test
    void nativeRoutesFollowTheRemoteNodesAndLeaveOtherRoutesAlone() {
        RouteProgrammer p = RouteProgrammer.create(RoutingOptions.nativeRouting(), NetworkNamespace.named(ns));
        p.apply(routes(C2, C3), true);
        assertThat(routeTable()).contains("10.20.1.0/24 via 192.168.2.2 dev ul0 proto 201",
                "10.30.1.0/24 via 192.168.3.2 dev ul0 proto 201", "10.99.0.0/16 via 192.168.9.9");

        p.apply(routes(C2), false);
        assertThat(routeTable()).contains("10.20.1.0/24 via 192.168.2.2", "10.99.0.0/16").doesNotContain("10.30.1.0");

        // A restarted agent: routes of the previous one are pruned by its first (full) sync.
        exec(ns, "ip", "route", "add", "10.40.1.0/24", "via", "192.168.4.2", "proto", "201");
        RouteProgrammer restarted = RouteProgrammer.create(RoutingOptions.nativeRouting(), NetworkNamespace.named(ns));
        restarted.apply(routes(C2), false);
        assertThat(routeTable()).contains("10.20.1.0/24 via 192.168.2.2", "10.99.0.0/16").doesNotContain("10.40.1.0");
    }

    @Test
    void tunnelModeProgramsOneDeviceWithAnFdbEntryAndNeighbourPerRemoteNode() {
        RouteProgrammer p = RouteProgrammer.create(RoutingOptions.tunnel(TUNNEL), NetworkNamespace.named(ns));
        p.apply(routes(C2, C3), true);
        assertThat(exec(ns, "ip", "-d", "link", "show", "cmt_vx")).contains("vxlan id 2 local 192.168.1.2",
                "dstport 8472", "nolearning", "link/ether 02:cb:c0:a8:01:02", "mtu 1450", "UP");
        assertThat(exec(ns, "bridge", "fdb", "show", "dev", "cmt_vx")).contains(
                "02:cb:c0:a8:02:02 dst 192.168.2.2 self permanent", "02:cb:c0:a8:03:02 dst 192.168.3.2 self permanent");
        assertThat(exec(ns, "ip", "neigh", "show", "dev", "cmt_vx")).contains(
                "192.168.2.2 lladdr 02:cb:c0:a8:02:02 PERMANENT", "192.168.3.2 lladdr 02:cb:c0:a8:03:02 PERMANENT");
        assertThat(routeTable()).contains("10.20.1.0/24 via 192.168.2.2 dev cmt_vx proto 201 onlink",
                "10.30.1.0/24 via 192.168.3.2 dev cmt_vx proto 201 onlink");

        p.apply(routes(C2), false);
        assertThat(exec(ns, "bridge", "fdb", "show", "dev", "cmt_vx")).doesNotContain("192.168.3.2");
        assertThat(exec(ns, "ip", "neigh", "show", "dev", "cmt_vx")).doesNotContain("192.168.3.2");
        assertThat(routeTable()).doesNotContain("10.30.1.0").contains("10.99.0.0/16");

        // Another VNI: the device is recreated and everything on it programmed again.
        RouteProgrammer other = RouteProgrammer.create(RoutingOptions.tunnel(new TunnelOptions("cmt_vx", 3, 8472,
                "192.168.1.2", 1450)), NetworkNamespace.named(ns));
        other.apply(routes(C2), true);
        assertThat(exec(ns, "ip", "-d", "link", "show", "cmt_vx")).contains("vxlan id 3 ");
        assertThat(routeTable()).contains("10.20.1.0/24 via 192.168.2.2 dev cmt_vx proto 201 onlink");
        assertThat(exec(ns, "bridge", "fdb", "show", "dev", "cmt_vx")).contains("02:cb:c0:a8:02:02 dst 192.168.2.2");
    }

    @Test
    void switchingFromNativeToTunnelMovesTheRoutesOntoTheDevice() {
        RouteProgrammer.create(RoutingOptions.nativeRouting(), NetworkNamespace.named(ns)).apply(routes(C2), true);
        RouteProgrammer.create(RoutingOptions.tunnel(TUNNEL), NetworkNamespace.named(ns)).apply(routes(C2), true);
        assertThat(routeTable()).contains("10.20.1.0/24 via 192.168.2.2 dev cmt_vx proto 201 onlink")
                .doesNotContain("10.20.1.0/24 via 192.168.2.2 dev ul0");
    }
}
