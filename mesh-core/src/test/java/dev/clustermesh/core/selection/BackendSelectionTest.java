package dev.clustermesh.core.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackendSelectionTest {
    private static final Affinity NONE = Affinity.AFFINITY_NONE;
    private static final Affinity LOCAL = Affinity.AFFINITY_LOCAL;
    private static final Affinity REMOTE = Affinity.AFFINITY_REMOTE;

    /**
     * One scenario seen from cluster {@code c1}. Expected backends are written
     * {@code cluster/ip[~][ P][ U]}: {@code ~} terminating, {@code P} preferred, {@code U} usable.
     */
    record Case(String name, String viewer, List<ClusterService> services, Affinity affinity, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("none: both clusters' backends", "c1",
                        List.of(svc("c1", true, NONE, "10.1.0.1", "10.1.0.2"), svc("c2", true, NONE, "10.2.0.1")), NONE,
                        "c1/10.1.0.1 U, c1/10.1.0.2 U, c2/10.2.0.1 U"),
                new Case("none: cluster2 scaled to 0", "c1",
                        List.of(svc("c1", true, NONE, "10.1.0.1"), svc("c2", true, NONE)), NONE,
                        "c1/10.1.0.1 U"),
                new Case("none: cluster1 scaled to 0 uses remote", "c1",
                        List.of(svc("c1", true, NONE), svc("c2", true, NONE, "10.2.0.1")), NONE,
                        "c2/10.2.0.1 U"),
                new Case("local shared=false still uses remote backends", "c1",
                        List.of(svc("c1", false, NONE, "10.1.0.1"), svc("c2", true, NONE, "10.2.0.1")), NONE,
                        "c1/10.1.0.1 U, c2/10.2.0.1 U"),
                new Case("remote shared=false contributes nothing", "c2",
                        List.of(svc("c1", false, NONE, "10.1.0.1"), svc("c2", true, NONE, "10.2.0.1")), NONE,
                        "c2/10.2.0.1 U"),
                new Case("both shared=false: each keeps its own", "c1",
                        List.of(svc("c1", false, NONE, "10.1.0.1"), svc("c2", false, NONE, "10.2.0.1")), NONE,
                        "c1/10.1.0.1 U"),
                new Case("affinity local prefers local", "c1",
                        List.of(svc("c1", true, LOCAL, "10.1.0.1"), svc("c2", true, NONE, "10.2.0.1")), LOCAL,
                        "c1/10.1.0.1 P U, c2/10.2.0.1"),
                new Case("affinity local seen from the other cluster is its own none", "c2",
                        List.of(svc("c1", true, LOCAL, "10.1.0.1"), svc("c2", true, NONE, "10.2.0.1")), NONE,
                        "c2/10.2.0.1 U, c1/10.1.0.1 U"),
                new Case("affinity local fails over when local has no backend", "c1",
                        List.of(svc("c1", true, LOCAL), svc("c2", true, NONE, "10.2.0.1")), LOCAL,
                        "c2/10.2.0.1 U"),
                new Case("affinity local fails over when local only terminates", "c1",
                        List.of(svc("c1", true, LOCAL, "10.1.0.1~"), svc("c2", true, NONE, "10.2.0.1")), LOCAL,
                        "c1/10.1.0.1~ P, c2/10.2.0.1 U"),
                new Case("affinity local with shared=false still prefers local", "c1",
                        List.of(svc("c1", false, LOCAL, "10.1.0.1"), svc("c2", true, NONE, "10.2.0.1")), LOCAL,
                        "c1/10.1.0.1 P U, c2/10.2.0.1"),
                new Case("affinity remote prefers remote", "c1",
                        List.of(svc("c1", true, REMOTE, "10.1.0.1"), svc("c2", true, NONE, "10.2.0.1")), REMOTE,
                        "c1/10.1.0.1, c2/10.2.0.1 P U"),
                new Case("affinity remote fails over to local when remote scaled to 0", "c1",
                        List.of(svc("c1", true, REMOTE, "10.1.0.1"), svc("c2", true, NONE)), REMOTE,
                        "c1/10.1.0.1 U"),
                new Case("affinity remote with remote not shared falls back to local", "c1",
                        List.of(svc("c1", true, REMOTE, "10.1.0.1"), svc("c2", false, NONE, "10.2.0.1")), REMOTE,
                        "c1/10.1.0.1 U"),
                new Case("affinity remote over three clusters", "c1",
                        List.of(svc("c3", true, NONE, "10.3.0.1"), svc("c1", true, REMOTE, "10.1.0.1"),
                                svc("c2", true, LOCAL, "10.2.0.1")), REMOTE,
                        "c1/10.1.0.1, c2/10.2.0.1 P U, c3/10.3.0.1 P U"),
                new Case("terminating listed but never usable", "c1",
                        List.of(svc("c1", true, NONE, "10.1.0.1", "10.1.0.2~"), svc("c2", true, NONE, "10.2.0.1~")), NONE,
                        "c1/10.1.0.1 U, c1/10.1.0.2~, c2/10.2.0.1~"),
                new Case("all terminating: nothing usable", "c1",
                        List.of(svc("c1", true, LOCAL, "10.1.0.1~"), svc("c2", true, NONE, "10.2.0.1~")), LOCAL,
                        "c1/10.1.0.1~ P, c2/10.2.0.1~"),
                new Case("no local service: remote backends, no affinity", "c1",
                        List.of(svc("c2", true, REMOTE, "10.2.0.1")), NONE,
                        "c2/10.2.0.1 U"),
                new Case("unspecified backend state is dropped", "c1",
                        List.of(svc("c1", true, NONE, "10.1.0.1", "10.1.0.9?")), NONE,
                        "c1/10.1.0.1 U"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void selectsBackends(Case c) {
        SelectedService s = BackendSelection.compute(c.viewer(), c.services());
        assertThat(render(s)).isEqualTo(c.expected());
        assertThat(s.affinity()).isEqualTo(c.affinity());
        assertThat(s.usable()).allMatch(SelectedBackend::active);
    }

    @Test
    void aStaleClustersBackendsStandInOnlyWhereNoFreshClusterHasActiveOnes() {
        Predicate<String> c2Stale = "c2"::equals;
        // A fresh active backend anywhere: the stale cluster's are kept in view but get no new connection.
        assertThat(render(BackendSelection.compute("c1", List.of(svc("c1", true, NONE, "10.1.0.1"),
                svc("c2", true, NONE, "10.2.0.1")), c2Stale))).isEqualTo("c1/10.1.0.1 U, c2/10.2.0.1");
        // Even over affinity: a stale preferred side gives way to a fresh other side.
        assertThat(render(BackendSelection.compute("c1", List.of(svc("c1", true, REMOTE, "10.1.0.1"),
                svc("c2", true, NONE, "10.2.0.1")), c2Stale))).isEqualTo("c1/10.1.0.1 U, c2/10.2.0.1 P");
        // The fresh side only terminates (or is scaled to 0): the stale backends save the service.
        assertThat(render(BackendSelection.compute("c1", List.of(svc("c1", true, NONE, "10.1.0.1~"),
                svc("c2", true, NONE, "10.2.0.1")), c2Stale))).isEqualTo("c1/10.1.0.1~, c2/10.2.0.1 U");
        // Everything stale: as if all were fresh, affinity included.
        assertThat(render(BackendSelection.compute("c1", List.of(svc("c1", true, LOCAL, "10.1.0.1"),
                svc("c2", true, NONE, "10.2.0.1")), c -> true))).isEqualTo("c1/10.1.0.1 P U, c2/10.2.0.1");
        // Among three clusters, the fresh remote one takes over from the stale local one.
        assertThat(render(BackendSelection.compute("c1", List.of(svc("c1", true, LOCAL, "10.1.0.1"),
                svc("c2", true, NONE, "10.2.0.1"), svc("c3", true, NONE, "10.3.0.1")), "c1"::equals)))
                .isEqualTo("c1/10.1.0.1 P, c2/10.2.0.1 U, c3/10.3.0.1 U");
    }

    @Test
    void frontendsComeFromTheLocalServiceOnly() {
        ClusterService c1 = svc("c1", true, NONE, "10.1.0.1").toBuilder()
                .addClusterIps("10.11.0.5").addClusterIps("fd00:11::5")
                .addPorts(port("http", Protocol.TCP, 80)).addPorts(port("dns", Protocol.UDP, 53)).build();
        ClusterService c2 = svc("c2", true, NONE, "10.2.0.1").toBuilder()
                .addClusterIps("10.21.0.7").addPorts(port("http", Protocol.TCP, 80)).build();

        SelectedService s = BackendSelection.compute("c1", List.of(c2, c1));

        assertThat(s.frontends()).extracting(Frontend::toString)
                .containsExactly("10.11.0.5:80/TCP", "10.11.0.5:53/UDP", "[fd00:11::5]:80/TCP", "[fd00:11::5]:53/UDP");
        assertThat(BackendSelection.compute("c3", List.of(c2, c1)).frontends()).isEmpty();
        assertThat(BackendSelection.compute("c1", List.of(c1.toBuilder().setHeadless(true).build())).frontends())
                .isEmpty();
    }

    @Test
    void failedOverIsReportedOnlyWhenThePreferredSideIsEmpty() {
        assertThat(BackendSelection.compute("c1",
                List.of(svc("c1", true, LOCAL), svc("c2", true, NONE, "10.2.0.1"))).failedOver()).isTrue();
        assertThat(BackendSelection.compute("c1",
                List.of(svc("c1", true, LOCAL, "10.1.0.1"), svc("c2", true, NONE, "10.2.0.1"))).failedOver()).isFalse();
        assertThat(BackendSelection.compute("c1",
                List.of(svc("c1", true, NONE), svc("c2", true, NONE, "10.2.0.1"))).failedOver()).isFalse();
    }

    @Test
    void backendPortsAreFoundByName() {
        ClusterService c1 = svc("c1", true, NONE).toBuilder().addBackends(Backend.newBuilder().setIp("10.1.0.1")
                .setState(BackendState.BACKEND_STATE_ACTIVE).addPorts(port("http", Protocol.TCP, 8080))).build();
        SelectedBackend b = BackendSelection.compute("c1", List.of(c1)).backends().get(0);
        assertThat(b.port("http")).map(Port::getPort).contains(8080);
        assertThat(b.port("grpc")).isEmpty();
    }

    @Test
    void refusesInputThatIsNotOneService() {
        assertThatThrownBy(() -> BackendSelection.compute("c1", List.of()))
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> BackendSelection.compute("c1",
                List.of(svc("c1", true, NONE), svc("c2", true, NONE).toBuilder().setName("other").build())))
                .hasMessageContaining("cannot merge default/rebel-base with default/other");
        assertThatThrownBy(() -> BackendSelection.compute("c1", List.of(svc("c1", true, NONE), svc("c1", true, NONE))))
                .hasMessageContaining("cluster 'c1' exports default/rebel-base twice");
    }

    static ClusterService svc(String cluster, boolean shared, Affinity affinity, String... backends) {
        ClusterService.Builder b = ClusterService.newBuilder().setCluster(cluster).setNamespace("default")
                .setName("rebel-base").setShared(shared).setAffinity(affinity);
        Arrays.stream(backends).forEach(spec -> b.addBackends(backend(spec)));
        return b.build();
    }

    private static Backend backend(String spec) {
        BackendState state = spec.endsWith("~") ? BackendState.BACKEND_STATE_TERMINATING
                : spec.endsWith("?") ? BackendState.BACKEND_STATE_UNSPECIFIED : BackendState.BACKEND_STATE_ACTIVE;
        String ip = spec.replaceAll("[~?]$", "");
        return Backend.newBuilder().setIp(ip).setState(state).addPorts(port("", Protocol.TCP, 80)).build();
    }

    private static Port port(String name, Protocol protocol, int number) {
        return Port.newBuilder().setName(name).setProtocol(protocol).setPort(number).build();
    }

    private static String render(SelectedService s) {
        return s.backends().stream().map(b -> b.cluster() + "/" + b.ip()
                + (b.active() ? "" : "~") + (b.preferred() ? " P" : "") + (b.usable() ? " U" : ""))
                .collect(Collectors.joining(", "));
    }
}
