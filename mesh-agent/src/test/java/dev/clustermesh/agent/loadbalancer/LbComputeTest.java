package dev.clustermesh.agent.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LbComputeTest {
    private static final ServiceName REBEL = new ServiceName("default", "rebel-base");

    @Test
    void mergesBothClustersBehindTheLocalFrontendWithPreferenceAndFailover() {
        LbMaps maps = LbCompute.compute("cluster1", snapshot(
                svc("cluster1", Affinity.AFFINITY_LOCAL, "10.11.0.10", "10.10.1.1", "10.10.1.2~"),
                svc("cluster2", Affinity.AFFINITY_NONE, "10.21.0.10", "10.20.1.1")), LbIds.EMPTY);

        assertThat(maps.dump()).isEqualTo("""
                service 1 10.11.0.10:80/TCP default/rebel-base affinity=local usable=1
                  slot 10.10.1.1:8080/TCP cluster1 preferred usable
                  slot 10.10.1.2:8080/TCP cluster1 preferred
                  slot 10.20.1.1:8080/TCP cluster2
                backend 1 10.10.1.1:8080/TCP cluster=cluster1(1) active
                backend 2 10.10.1.2:8080/TCP cluster=cluster1(1) terminating
                backend 3 10.20.1.1:8080/TCP cluster=cluster2(2) active
                """);

        LbMaps failover = LbCompute.compute("cluster1", snapshot(
                svc("cluster1", Affinity.AFFINITY_LOCAL, "10.11.0.10", "10.10.1.2~"),
                svc("cluster2", Affinity.AFFINITY_NONE, "10.21.0.10", "10.20.1.1")), maps.ids());
        assertThat(failover.dump()).contains("usable=1 failed-over", "slot 10.20.1.1:8080/TCP cluster2 usable");
    }

    @Test
    void idsStayStableAcrossUpdatesAndAreNotReusedForOthers() {
        LbMaps first = LbCompute.compute("cluster1", snapshot(
                svc("cluster1", Affinity.AFFINITY_NONE, "10.11.0.10", "10.10.1.1", "10.10.1.2")), LbIds.EMPTY);
        LbMaps second = LbCompute.compute("cluster1", snapshot(
                svc("cluster1", Affinity.AFFINITY_NONE, "10.11.0.10", "10.10.1.2", "10.10.1.3")), first.ids());

        int id2 = idOf(first, "10.10.1.2");
        assertThat(idOf(second, "10.10.1.2")).isEqualTo(id2);
        assertThat(idOf(second, "10.10.1.3")).isNotIn(idOf(first, "10.10.1.1"), id2);
        assertThat(second.services().firstKey()).isEqualTo(first.services().firstKey());
        assertThat(second.services().values().iterator().next().id()).isEqualTo(first.services().values().iterator().next().id());
    }

    @Test
    void aGlobalServiceWithoutALocalServiceProgramsNothing() {
        LbMaps maps = LbCompute.compute("cluster1", snapshot(svc("cluster2", Affinity.AFFINITY_NONE, "10.21.0.10", "10.20.1.1")),
                LbIds.EMPTY);
        assertThat(maps.services()).isEmpty();
        assertThat(maps.backends()).isEmpty();
    }

    @Test
    void aClustersetIpImportIsAFrontendWithoutALocalServiceAndBesideOne() {
        ServiceImport imp = ServiceImport.newBuilder().setCluster("cluster1").setNamespace("default")
                .setName("rebel-base").setType(ImportType.CLUSTER_SET_IP).addIps("10.254.3.7")
                .addPorts(Port.newBuilder().setName("").setProtocol(Protocol.TCP).setPort(80)).build();
        ClusterService remote = svc("cluster2", Affinity.AFFINITY_NONE, "10.21.0.10", "10.20.1.1");
        Map<String, ClusterStatus> clusters = Map.of("cluster1", status("cluster1", 1), "cluster2", status("cluster2", 2));
        LbMaps maps = LbCompute.compute("cluster1", new MeshSnapshot(1, Map.of(REBEL, List.of(remote)),
                Map.of(REBEL, imp), Map.of(), Map.of(), clusters, 0), LbIds.EMPTY);
        assertThat(maps.dump()).isEqualTo("""
                service 1 10.254.3.7:80/TCP default/rebel-base affinity=none usable=1
                  slot 10.20.1.1:8080/TCP cluster2 usable
                backend 1 10.20.1.1:8080/TCP cluster=cluster2(2) active
                """);

        LbMaps both = LbCompute.compute("cluster1", new MeshSnapshot(1, Map.of(REBEL, List.of(remote,
                svc("cluster1", Affinity.AFFINITY_NONE, "10.11.0.10", "10.10.1.1"))), Map.of(REBEL, imp), Map.of(),
                Map.of(), clusters, 0), LbIds.EMPTY);
        assertThat(both.services().keySet()).extracting(LbFrontend::toString)
                .containsExactly("10.11.0.10:80/TCP", "10.254.3.7:80/TCP");

        ServiceImport headless = imp.toBuilder().setType(ImportType.HEADLESS).clearIps().build();
        assertThat(LbCompute.compute("cluster1", new MeshSnapshot(1, Map.of(REBEL, List.of(remote)),
                Map.of(REBEL, headless), Map.of(), Map.of(), clusters, 0), LbIds.EMPTY).services()).isEmpty();
    }

    @Test
    void backendsWithoutTheServicePortAreLeftOutOfThatFrontend() {
        ClusterService c1 = svc("cluster1", Affinity.AFFINITY_NONE, "10.11.0.10").toBuilder()
                .clearPorts().addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80))
                .addBackends(Backend.newBuilder().setIp("10.10.1.7").setState(BackendState.BACKEND_STATE_ACTIVE)
                        .addPorts(Port.newBuilder().setName("metrics").setProtocol(Protocol.TCP).setPort(9090)))
                .build();
        assertThat(LbCompute.compute("cluster1", snapshot(c1), LbIds.EMPTY).backends()).isEmpty();
    }

    private static int idOf(LbMaps maps, String ip) {
        return maps.backends().values().stream().filter(b -> b.ip().equals(ip)).findFirst().orElseThrow().id();
    }

    static MeshSnapshot snapshot(ClusterService... services) {
        Map<String, ClusterStatus> clusters = Map.of("cluster1", status("cluster1", 1), "cluster2", status("cluster2", 2));
        return new MeshSnapshot(1, Map.of(REBEL, List.of(services)), Map.of(), clusters, System.nanoTime());
    }

    static ClusterStatus status(String name, int id) {
        return new ClusterStatus(name, id, true, true, Set.of(ResourceKind.values()), 1, 1, 1, "", Optional.empty(),
                Optional.empty(), Optional.empty(), Freshness.FRESH, "", 1, 1);
    }

    static ClusterService svc(String cluster, Affinity affinity, String clusterIp, String... backends) {
        ClusterService.Builder b = ClusterService.newBuilder().setCluster(cluster).setNamespace("default")
                .setName("rebel-base").setShared(true).setAffinity(affinity).addClusterIps(clusterIp)
                .addPorts(Port.newBuilder().setName("").setProtocol(Protocol.TCP).setPort(80));
        for (String spec : backends) {
            b.addBackends(Backend.newBuilder().setIp(spec.replace("~", ""))
                    .setState(spec.endsWith("~") ? BackendState.BACKEND_STATE_TERMINATING : BackendState.BACKEND_STATE_ACTIVE)
                    .addPorts(Port.newBuilder().setName("").setProtocol(Protocol.TCP).setPort(8080)));
        }
        return b.build();
    }
}
