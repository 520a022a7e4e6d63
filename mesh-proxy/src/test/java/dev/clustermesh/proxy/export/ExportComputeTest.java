package dev.clustermesh.proxy.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.NodeAddress;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.proxy.export.inventory.NodeObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.SliceEndpoint;
import dev.clustermesh.proxy.export.inventory.SliceObject;
import dev.clustermesh.proxy.export.inventory.Snapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExportComputeTest {
    private static final ClusterConfig CONFIG = ClusterConfig.newBuilder().setName("c1").setId(1).build();
    private static final String GLOBAL = "service.cilium.io/global";
    private static final Port HTTP = Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80).build();
    private static final Port HTTP_TARGET =
            Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080).build();
    private static final Port DNS_TARGET =
            Port.newBuilder().setName("dns").setProtocol(Protocol.UDP).setPort(5353).build();

    /**
     * @param expected every key but the ClusterConfig, with its value
     * @param warnings one fragment per expected warning, in order
     */
    record Case(String name, List<ServiceObject> services, List<SliceObject> slices, List<NodeObject> nodes,
            Map<String, Message> expected, List<String> warnings) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> serviceCases() {
        return Stream.of(
                new Case("a service that is not global is not exported",
                        List.of(svc("web", Map.of())), List.of(slice("web-a", "web", ep("10.0.0.1", true, null))),
                        List.of(), Map.of(), List.of()),
                new Case("global and shared: services prefix and backends; slices give no endpoint keys (pods do)",
                        List.of(svc("web", Map.of(GLOBAL, "true"))),
                        List.of(slice("web-a", "web", ep("10.0.0.1", true, null))),
                        List.of(), Map.of(
                                "mesh/v1/services/c1/demo/web", service("web", true, Affinity.AFFINITY_NONE,
                                        backend("10.0.0.1", BackendState.BACKEND_STATE_ACTIVE, HTTP_TARGET))
                                        .toBuilder().setKnownBackends(1).build()),
                        List.of()),
                new Case("affinity-min-ready is carried, as a count or a percent",
                        List.of(svc("web", Map.of(GLOBAL, "true", "service.cilium.io/affinity", "local",
                                "service.cilium.io/affinity-min-ready", "50%")),
                                svc("api", Map.of(GLOBAL, "true", "service.cilium.io/affinity", "remote",
                                        "service.cilium.io/affinity-min-ready", "3"))),
                        List.of(), List.of(),
                        Map.of("mesh/v1/services/c1/demo/web", service("web", true, Affinity.AFFINITY_LOCAL)
                                        .toBuilder().setAffinityMinReadyPercent(50).build(),
                                "mesh/v1/services/c1/demo/api", service("api", true, Affinity.AFFINITY_REMOTE)
                                        .toBuilder().setAffinityMinReady(3).build()),
                        List.of()),
                new Case("shared=false goes under local/, affinity is carried",
                        List.of(svc("web", Map.of(GLOBAL, "TRUE", "service.cilium.io/shared", "false",
                                "service.cilium.io/affinity", "local"))),
                        List.of(), List.of(),
                        Map.of("mesh/v1/local/services/c1/demo/web",
                                service("web", false, Affinity.AFFINITY_LOCAL)),
                        List.of()),
                new Case("conditions: ready/unknown is active, terminating is terminating, not ready is left out "
                        + "(but known: the service is heading for 4 backends)",
                        List.of(svc("web", Map.of(GLOBAL, "true"))),
                        List.of(slice("web-a", "web", ep("10.0.0.1", true, false), ep("10.0.0.2", null, null),
                                ep("10.0.0.3", false, true), ep("10.0.0.4", false, false),
                                ep("10.0.0.5", false, null))),
                        List.of(), Map.of(
                                "mesh/v1/services/c1/demo/web", service("web", true, Affinity.AFFINITY_NONE,
                                        backend("10.0.0.1", BackendState.BACKEND_STATE_ACTIVE, HTTP_TARGET),
                                        backend("10.0.0.2", BackendState.BACKEND_STATE_ACTIVE, HTTP_TARGET),
                                        backend("10.0.0.3", BackendState.BACKEND_STATE_TERMINATING, HTTP_TARGET))
                                        .toBuilder().setKnownBackends(4).build()),
                        List.of()));
    }

    static Stream<Case> backendCases() {
        return Stream.of(
                new Case("headless: no cluster IPs, headless set",
                        List.of(new ServiceObject(new ObjectRef("demo", "db"), Map.of(GLOBAL, "true"), List.of(),
                                true, List.of(), "7")),
                        List.of(), List.of(),
                        Map.of("mesh/v1/services/c1/demo/db", ClusterService.newBuilder().setCluster("c1")
                                .setNamespace("demo").setName("db").setHeadless(true).setShared(true)
                                .setResourceVersion("7").build()),
                        List.of()),
                new Case("an IP in two slices is one backend: ports merged, active wins over terminating",
                        List.of(svc("web", Map.of(GLOBAL, "true"))),
                        List.of(slice("web-a", "web", ep("10.0.0.1", false, true)),
                                new SliceObject(new ObjectRef("demo", "web-b"), "web",
                                        List.of(new PortSpec("dns", "UDP", 5353)),
                                        List.of(ep("10.0.0.1", true, false)))),
                        List.of(), Map.of(
                                "mesh/v1/services/c1/demo/web", service("web", true, Affinity.AFFINITY_NONE,
                                        backend("10.0.0.1", BackendState.BACKEND_STATE_ACTIVE, DNS_TARGET,
                                                HTTP_TARGET)).toBuilder().setKnownBackends(1).build()),
                        List.of()),
                new Case("slices of other services and namespaces are not attached; no slices means no backends",
                        List.of(svc("web", Map.of(GLOBAL, "true"))),
                        List.of(slice("api-a", "api", ep("10.0.0.1", true, null)),
                                new SliceObject(new ObjectRef("other", "web-a"), "web", List.of(),
                                        List.of(ep("10.0.0.2", true, null)))),
                        List.of(), Map.of("mesh/v1/services/c1/demo/web",
                                service("web", true, Affinity.AFFINITY_NONE)),
                        List.of()));
    }

    static Stream<Case> warningAndNodeCases() {
        return Stream.of(
                new Case("bad annotations are warnings with defaults; a bad global value does not export",
                        List.of(svc("a", Map.of(GLOBAL, "yes")),
                                svc("b", Map.of(GLOBAL, "true", "service.cilium.io/affinity", "sideways")),
                                svc("c", Map.of("service.cilium.io/shared", "false"))),
                        List.of(), List.of(),
                        Map.of("mesh/v1/services/c1/demo/b", service("b", true, Affinity.AFFINITY_NONE)),
                        List.of("service demo/a: annotation service.cilium.io/global=\"yes\"",
                                "service demo/b: annotation service.cilium.io/affinity=\"sideways\"",
                                "service demo/c: annotation service.cilium.io/shared=\"false\": has no effect")),
                new Case("addresses that are not IPs are warnings and left out",
                        List.of(svc("web", Map.of(GLOBAL, "true"))),
                        List.of(slice("web-a", "web", ep("web.example.com", true, null))),
                        List.of(), Map.of("mesh/v1/services/c1/demo/web",
                                service("web", true, Affinity.AFFINITY_NONE)),
                        List.of("service demo/web: EndpointSlice demo/web-a: address 'web.example.com'")),
                new Case("nodes: InternalIP first, pod CIDRs as given",
                        List.of(), List.of(),
                        List.of(new NodeObject("node-a", List.of(new NodeObject.Address("Hostname", "node-a"),
                                new NodeObject.Address("InternalIP", "172.18.0.2")), List.of("10.10.1.0/24"))),
                        Map.of("mesh/v1/nodes/c1/node-a", Node.newBuilder().setCluster("c1").setName("node-a")
                                .addAddresses(NodeAddress.newBuilder().setType("InternalIP").setAddress("172.18.0.2"))
                                .addAddresses(NodeAddress.newBuilder().setType("Hostname").setAddress("node-a"))
                                .addPodCidrs("10.10.1.0/24").build()),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"serviceCases", "backendCases", "warningAndNodeCases"})
    void computesKeysAndValues(Case c) {
        DesiredState d = ExportCompute.compute(CONFIG, Snapshot.synced(c.services(), c.slices(), c.nodes()));

        Map<String, Message> expected = new HashMap<>(c.expected());
        expected.put("mesh/v1/config/c1", CONFIG);
        assertThat(d.values()).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(d.warnings()).hasSameSizeAs(c.warnings());
        for (int i = 0; i < c.warnings().size(); i++) {
            assertThat(d.warnings().get(i).toString()).startsWith(c.warnings().get(i));
        }
        long services = expected.keySet().stream().filter(k -> k.contains("services/")).count();
        assertThat(d.counts().get(ResourceKind.SERVICES)).isEqualTo((int) services);
    }

    private static ServiceObject svc(String name, Map<String, String> annotations) {
        return new ServiceObject(new ObjectRef("demo", name), annotations, List.of("10.11.0.10"), false,
                List.of(new PortSpec("http", "TCP", 80)), "");
    }

    private static SliceObject slice(String name, String service, SliceEndpoint... endpoints) {
        return new SliceObject(new ObjectRef("demo", name), service, List.of(new PortSpec("http", null, 8080)),
                List.of(endpoints));
    }

    private static SliceEndpoint ep(String ip, Boolean ready, Boolean terminating) {
        return new SliceEndpoint(List.of(ip), ready, terminating, "", "", "node-a", "demo", "pod-" + ip);
    }

    private static ClusterService service(String name, boolean shared, Affinity affinity, Backend... backends) {
        return ClusterService.newBuilder().setCluster("c1").setNamespace("demo").setName(name)
                .addClusterIps("10.11.0.10").addPorts(HTTP).setShared(shared).setAffinity(affinity)
                .addAllBackends(List.of(backends)).build();
    }

    private static Backend backend(String ip, BackendState state, Port... ports) {
        return Backend.newBuilder().setIp(ip).setState(state).addAllPorts(List.of(ports)).setNode("node-a").build();
    }
}
