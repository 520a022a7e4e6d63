package dev.clustermesh.proxy.export.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The imports' EndpointSlices: one per exporting cluster and family with that cluster's backends, labelled as the MCS
 * API says, with conditions from the backends' states; constituents that do not export with a ServiceExport give none.
 */
class McsEndpointSlicesTest {
    private static final Port HTTP = Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080).build();

    @Test
    void oneSlicePerExportingClusterAndFamilyLabelledForTheImport() {
        ServiceImport imp = ServiceImport.newBuilder().setNamespace("shop").setName("web")
                .setType(ImportType.CLUSTER_SET_IP).addClusters("c1").addClusters("c2").build();
        ClusterService c1 = export("c1", backend("10.10.1.1", BackendState.BACKEND_STATE_ACTIVE),
                backend("fd00:10::1", BackendState.BACKEND_STATE_ACTIVE));
        ClusterService c2 = export("c2", backend("10.20.1.1", BackendState.BACKEND_STATE_ACTIVE),
                backend("10.20.1.2", BackendState.BACKEND_STATE_TERMINATING));
        ClusterService annotationOnly = export("c3", backend("10.30.1.1", BackendState.BACKEND_STATE_ACTIVE));

        Map<String, EndpointSlice> slices = McsEndpointSlices.desired(List.of(imp), List.of(c1, c2, annotationOnly),
                Map.of("app.kubernetes.io/managed-by", "clustermesh-j"));

        assertThat(slices.keySet()).hasSize(3).allMatch(k -> k.matches("shop/web-c[12]-[0-9a-f]{6}-v[46]"));
        EndpointSlice two = slice(slices, "c2", "v4");
        assertThat(two.getMetadata().getLabels()).containsEntry("multicluster.kubernetes.io/service-name", "web")
                .containsEntry("multicluster.kubernetes.io/source-cluster", "c2")
                .containsEntry("endpointslice.kubernetes.io/managed-by", "clustermesh-j.dev")
                .containsEntry("app.kubernetes.io/managed-by", "clustermesh-j")
                .doesNotContainKey("kubernetes.io/service-name");
        assertThat(two.getAddressType()).isEqualTo("IPv4");
        assertThat(two.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).isEqualTo(8080);
        });
        assertThat(two.getEndpoints()).extracting(e -> e.getAddresses().get(0) + " ready=" + e.getConditions().getReady()
                + " terminating=" + e.getConditions().getTerminating())
                .containsExactly("10.20.1.1 ready=true terminating=false", "10.20.1.2 ready=false terminating=true");
        assertThat(two.getEndpoints().get(1).getConditions().getServing()).isFalse();
        assertThat(slice(slices, "c1", "v6").getAddressType()).isEqualTo("IPv6");
    }

    @Test
    void theSignatureIgnoresOrderAndWhatTheApiAdds() {
        EndpointSlice a = McsEndpointSlices.desired(List.of(ServiceImport.newBuilder().setNamespace("shop")
                .setName("web").addClusters("c2").build()), List.of(export("c2",
                backend("10.20.1.1", BackendState.BACKEND_STATE_ACTIVE),
                backend("10.20.1.2", BackendState.BACKEND_STATE_ACTIVE))), Map.of()).values().iterator().next();
        EndpointSlice reversed = new EndpointSliceBuilder(a).editMetadata().withResourceVersion("42")
                .withUid("u").endMetadata().withEndpoints(a.getEndpoints().get(1), a.getEndpoints().get(0)).build();
        assertThat(McsEndpointSlices.signature(reversed)).isEqualTo(McsEndpointSlices.signature(a));
        EndpointSlice fewer = new EndpointSliceBuilder(a).withEndpoints(a.getEndpoints().get(0)).build();
        assertThat(McsEndpointSlices.signature(fewer)).isNotEqualTo(McsEndpointSlices.signature(a));
    }

    @Test
    void namesOfDifferentServiceClusterPairsNeverCollideAndLargeSetsAreCut() {
        ServiceImport webA = ServiceImport.newBuilder().setNamespace("shop").setName("web-a").addClusters("b").build();
        ServiceImport web = ServiceImport.newBuilder().setNamespace("shop").setName("web").addClusters("a-b").build();
        ClusterService fromB = export("b").toBuilder().setName("web-a")
                .addBackends(backend("10.1.0.1", BackendState.BACKEND_STATE_ACTIVE)).build();
        ClusterService fromAb = export("a-b").toBuilder()
                .addBackends(backend("10.2.0.1", BackendState.BACKEND_STATE_ACTIVE)).build();
        assertThat(McsEndpointSlices.desired(List.of(webA, web), List.of(fromB, fromAb), Map.of())).hasSize(2);

        ClusterService.Builder many = export("c2").toBuilder();
        for (int k = 0; k < 250; k++) {
            many.addBackends(backend("10.20." + (k / 200) + "." + (k % 200 + 1), BackendState.BACKEND_STATE_ACTIVE));
        }
        Map<String, EndpointSlice> cut = McsEndpointSlices.desired(List.of(ServiceImport.newBuilder()
                .setNamespace("shop").setName("web").addClusters("c2").build()), List.of(many.build()), Map.of());
        assertThat(cut.values()).extracting(s -> s.getEndpoints().size()).containsExactlyInAnyOrder(100, 100, 50);
    }

    private static EndpointSlice slice(Map<String, EndpointSlice> slices, String cluster, String family) {
        return slices.entrySet().stream().filter(e -> e.getKey().startsWith("shop/web-" + cluster + "-")
                && e.getKey().endsWith("-" + family)).findFirst().orElseThrow().getValue();
    }

    private static ClusterService export(String cluster, Backend... backends) {
        return ClusterService.newBuilder().setCluster(cluster).setNamespace("shop").setName("web")
                .addAllBackends(List.of(backends)).build();
    }

    private static Backend backend(String ip, BackendState state) {
        return Backend.newBuilder().setIp(ip).setState(state).addPorts(HTTP).build();
    }
}
