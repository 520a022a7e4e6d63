package dev.clustermesh.agent.datapath.routes;

import static dev.clustermesh.agent.datapath.routes.RouteScriptsTest.C2;
import static dev.clustermesh.agent.datapath.routes.RouteScriptsTest.C3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.agent.routing.Route;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TunnelPlanTest {

    record Case(String name, TunnelPlan.Current current, List<Route> want, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Map<String, Route> c2 = RouteScripts.byCidr(List.of(C2));
        return Stream.of(
                new Case("full sync on an empty device",
                        new TunnelPlan.Current(List.of(), List.of(), Map.of(), Map.of(), Map.of()), List.of(C2, C3), """
                        bridge: fdb replace 02:cb:c0:a8:02:02 dev vx dst 192.168.2.2 self permanent
                        bridge: fdb replace 02:cb:c0:a8:03:02 dev vx dst 192.168.3.2 self permanent
                        ip: neigh replace 192.168.2.2 lladdr 02:cb:c0:a8:02:02 dev vx nud permanent
                        ip: neigh replace 192.168.3.2 lladdr 02:cb:c0:a8:03:02 dev vx nud permanent
                        ip: route replace 10.20.1.0/24 via 192.168.2.2 dev vx onlink proto 201
                        ip: route replace 10.30.1.0/24 via 192.168.3.2 dev vx onlink proto 201"""),
                new Case("full sync prunes what the kernel holds but is not desired (a native route included)",
                        new TunnelPlan.Current(List.of("10.20.1.0/24", "10.30.1.0/24"), List.of("192.168.3.2"),
                                Map.of("02:cb:c0:a8:03:02", "192.168.3.2"), Map.of(), Map.of()), List.of(C2), """
                        bridge: fdb replace 02:cb:c0:a8:02:02 dev vx dst 192.168.2.2 self permanent
                        ip: route del 10.30.1.0/24 proto 201
                        ip: neigh del 192.168.3.2 dev vx
                        ip: neigh replace 192.168.2.2 lladdr 02:cb:c0:a8:02:02 dev vx nud permanent
                        ip: route replace 10.20.1.0/24 via 192.168.2.2 dev vx onlink proto 201
                        bridge: fdb del 02:cb:c0:a8:03:02 dev vx dst 192.168.3.2 self"""),
                new Case("incremental: a node joins",
                        new TunnelPlan.Current(List.of("10.20.1.0/24"), List.of("192.168.2.2"),
                                Map.of("02:cb:c0:a8:02:02", "192.168.2.2"), Map.of("192.168.2.2", "02:cb:c0:a8:02:02"), c2),
                        List.of(C2, C3), """
                        bridge: fdb replace 02:cb:c0:a8:03:02 dev vx dst 192.168.3.2 self permanent
                        ip: neigh replace 192.168.3.2 lladdr 02:cb:c0:a8:03:02 dev vx nud permanent
                        ip: route replace 10.30.1.0/24 via 192.168.3.2 dev vx onlink proto 201"""),
                new Case("incremental: nothing changed",
                        new TunnelPlan.Current(List.of("10.20.1.0/24"), List.of("192.168.2.2"),
                                Map.of("02:cb:c0:a8:02:02", "192.168.2.2"), Map.of("192.168.2.2", "02:cb:c0:a8:02:02"), c2),
                        List.of(C2), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plansFdbNeighboursAndRoutesInOrder(Case c) {
        TunnelPlan p = TunnelPlan.compute(c.current(), RouteScripts.byCidr(c.want()), "vx");
        StringBuilder b = new StringBuilder();
        p.fdbAdds().forEach(l -> b.append("bridge: ").append(l).append('\n'));
        p.ipLines().forEach(l -> b.append("ip: ").append(l).append('\n'));
        p.fdbDeletes().forEach(l -> b.append("bridge: ").append(l).append('\n'));
        assertThat(b.toString().strip()).isEqualTo(c.expected());
    }
}
