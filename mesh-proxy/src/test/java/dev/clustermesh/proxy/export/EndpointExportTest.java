package dev.clustermesh.proxy.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Identity;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.proxy.export.inventory.NamespaceObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PodObject;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proxy.export.inventory.Snapshot;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pods and namespaces to endpoints and identities: what is exported, and how numbers are kept and released. */
class EndpointExportTest {
    private static final ClusterConfig CONFIG = ClusterConfig.newBuilder().setName("c1").setId(2).build();
    private static final int ID1 = 2 << 16 | 1;
    private static final int ID2 = 2 << 16 | 2;
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final NamespaceObject DEMO = new NamespaceObject("demo",
            Map.of("kubernetes.io/metadata.name", "demo", "team", "blue"));

    /**
     * @param endpoints IP to pod name of every exported endpoint
     * @param identities pod name to its identity's local number (0 for none)
     * @param warnings one fragment per expected warning, in order
     */
    record Case(String name, List<PodObject> pods, Map<String, String> endpoints, Map<String, Integer> identities,
            List<String> warnings) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a running pod with an IP is exported with its identity",
                        List.of(pod("web-1", Map.of("app", "web"), "10.0.0.1")),
                        Map.of("10.0.0.1", "web-1"), Map.of("web-1", 1), List.of()),
                new Case("no IP, host network, Succeeded and Failed are not exported; Pending and terminating are",
                        List.of(pod("a", Map.of("app", "a")),
                                withHostNetwork(pod("b", Map.of("app", "b"), "172.18.0.2")),
                                withPhase(pod("c", Map.of("app", "c"), "10.0.0.3"), "Succeeded", false),
                                withPhase(pod("d", Map.of("app", "d"), "10.0.0.4"), "Failed", false),
                                withPhase(pod("e", Map.of("app", "e"), "10.0.0.5"), "Pending", false),
                                withPhase(pod("f", Map.of("app", "f"), "10.0.0.6"), "Running", true)),
                        Map.of("10.0.0.5", "e", "10.0.0.6", "f"), Map.of("e", 1, "f", 2), List.of()),
                new Case("replicas differing in filtered labels share one identity; other labels get another",
                        List.of(pod("web-1", Map.of("app", "web", "pod-template-hash", "1"), "10.0.0.1"),
                                pod("web-2", Map.of("app", "web", "pod-template-hash", "2"), "10.0.0.2"),
                                pod("web-3", Map.of("app", "web", "version", "2"), "10.0.0.3")),
                        Map.of("10.0.0.1", "web-1", "10.0.0.2", "web-2", "10.0.0.3", "web-3"),
                        Map.of("web-1", 1, "web-2", 1, "web-3", 2), List.of()),
                new Case("a dual-stack pod has one key per IP; a bad IP is a warning",
                        List.of(pod("web-1", Map.of(), "10.0.0.1", "fd00::1", "not-an-ip")),
                        Map.of("10.0.0.1", "web-1", "fd00::1", "web-1"), Map.of("web-1", 1),
                        List.of("pod demo/web-1: IP 'not-an-ip' is not an IP literal")),
                new Case("an IP claimed twice goes to the first pod in name order",
                        List.of(pod("a", Map.of(), "10.0.0.1"), pod("b", Map.of(), "10.0.0.1")),
                        Map.of("10.0.0.1", "a"), Map.of("a", 1),
                        List.of("pod demo/b: IP 10.0.0.1 is already pod demo/a's")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void computesEndpointsAndIdentities(Case c) {
        DesiredState d = compute(c.pods(), IdentityTable.EMPTY, 0, true);
        Map<String, Endpoint> endpoints = endpoints(d);
        assertThat(endpoints.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().getPod()))).isEqualTo(c.endpoints());
        endpoints.values().forEach(e -> {
            int expected = c.identities().get(e.getPod());
            assertThat(e.getIdentity()).as("identity of %s", e.getPod()).isEqualTo(expected == 0 ? 0 : 2 << 16 | expected);
        });
        assertThat(d.warnings()).hasSameSizeAs(c.warnings());
        for (int i = 0; i < c.warnings().size(); i++) {
            assertThat(d.warnings().get(i).toString()).startsWith(c.warnings().get(i));
        }
        assertThat(d.counts().get(ResourceKind.ENDPOINTS)).isEqualTo(c.endpoints().size());
        assertThat(d.counts().get(ResourceKind.IDENTITIES))
                .isEqualTo((int) c.identities().values().stream().distinct().count());
    }

    @Test
    void anEndpointCarriesLabelsNamespaceLabelsNamedPortsAndTheIdentityItsLabelsMapTo() {
        PodObject web = new PodObject(new ObjectRef("demo", "web-1"), Map.of("app", "web", "pod-template-hash", "1"),
                List.of("10.0.0.1"), "node-a", false, "Running", false, "web", List.of(
                        new PortSpec("http", "TCP", 8080), new PortSpec("dns", "UDP", 5353),
                        new PortSpec("http", "TCP", 8081), new PortSpec("bad", "ICMP", 1)));
        DesiredState d = compute(List.of(web), IdentityTable.EMPTY, 0, true);

        Endpoint e = endpoints(d).get("10.0.0.1");
        assertThat(e).isEqualTo(Endpoint.newBuilder().setIp("10.0.0.1").setCluster("c1").setNamespace("demo")
                .setPod("web-1").setNode("node-a").putAllLabels(web.labels()).setIdentity(ID1)
                .putAllNamespaceLabels(DEMO.labels()).setServiceAccount("web")
                .addNamedPorts(Port.newBuilder().setName("dns").setProtocol(Protocol.UDP).setPort(5353))
                .addNamedPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080)).build());
        assertThat(d.values().get("mesh/v1/identities/c1/" + ID1)).isEqualTo(Identity.newBuilder().setId(ID1)
                .setCluster("c1").putLabels("app", "web").putLabels("io.kubernetes.pod.namespace", "demo")
                .putLabels("io.cilium.k8s.policy.cluster", "c1").putLabels("io.cilium.k8s.policy.serviceaccount", "web")
                .putLabels("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", "demo")
                .putLabels("io.cilium.k8s.namespace.labels.team", "blue").build());
        assertThat(d.warnings()).extracting(ExportWarning::toString).containsExactly(
                "pod demo/web-1: container port bad 1/ICMP is not a valid port; left out",
                "pod demo/web-1: container port name http is used twice; the first is exported");
    }

    @Test
    void numbersAreKeptWhateverOrderPodsComeInAndReleasedOnlyAfterTheGrace() {
        PodObject web = pod("web-1", Map.of("app", "web"), "10.0.0.1");
        PodObject db = pod("db-0", Map.of("app", "db"), "10.0.0.2");
        DesiredState first = compute(List.of(web), IdentityTable.EMPTY, 0, true);
        DesiredState second = compute(List.of(db, web), first.identities(), 1_000, true);
        assertThat(identityOf(second, "10.0.0.1")).isEqualTo(ID1);
        assertThat(identityOf(second, "10.0.0.2")).as("db came second").isEqualTo(ID2);

        PodObject relabelled = pod("web-1", Map.of("app", "web", "version", "2"), "10.0.0.1");
        DesiredState third = compute(List.of(db, relabelled), second.identities(), 2_000, true);
        assertThat(identityOf(third, "10.0.0.1")).as("a label change is a new identity").isEqualTo(2 << 16 | 3);
        assertThat(third.values()).as("the old one stays for the grace").containsKey("mesh/v1/identities/c1/" + ID1);

        DesiredState back = compute(List.of(db, web), third.identities(), 3_000, true);
        assertThat(identityOf(back, "10.0.0.1")).as("labels back within the grace: number back").isEqualTo(ID1);

        DesiredState gone = compute(List.of(db), back.identities(), 4_000, true);
        assertThat(gone.values()).containsKey("mesh/v1/identities/c1/" + ID1);
        DesiredState later = compute(List.of(db), gone.identities(), 4_000 + GRACE.toMillis(), true);
        assertThat(later.values()).doesNotContainKeys("mesh/v1/identities/c1/" + ID1,
                "mesh/v1/identities/c1/" + (2 << 16 | 3));
        assertThat(later.counts().get(ResourceKind.IDENTITIES)).isEqualTo(1);
        DesiredState reused = compute(List.of(db, relabelled), later.identities(), 5_000 + GRACE.toMillis(), true);
        assertThat(identityOf(reused, "10.0.0.1")).as("the lowest free number").isEqualTo(ID1);
    }

    @Test
    void anIncompletePassNeitherAllocatesNorReleases() {
        IdentityTable adopted = IdentityTable.adopt(2, Map.of(ID2, labels("web"), 3 << 16 | 1, labels("db"),
                2 << 16 | 9, labels("web")));
        assertThat(adopted.byId().keySet()).as("another cluster's and a second number for one set are dropped")
                .containsExactly(ID2);
        DesiredState d = compute(List.of(pod("db-0", Map.of("app", "db"), "10.0.0.2")), adopted, 10 * GRACE.toMillis(),
                false);
        assertThat(d.identities()).isEqualTo(adopted);
        assertThat(identityOf(d, "10.0.0.2")).isZero();
    }

    @Test
    void exhaustionIsAWarningAndIdentityZero() {
        SortedMap<Integer, IdentityTable.Entry> full = new TreeMap<>();
        for (int local = 1; local <= 0xFFFF; local++) {
            full.put(2 << 16 | local, new IdentityTable.Entry(2 << 16 | local, Map.of("n", "" + local), -1));
        }
        DesiredState d = compute(List.of(pod("web-1", Map.of("app", "web"), "10.0.0.1")), new IdentityTable(full), 0,
                true);
        assertThat(identityOf(d, "10.0.0.1")).isZero();
        assertThat(d.warnings()).singleElement().satisfies(w -> {
            assertThat(w.cause()).isEqualTo(ExportWarning.Cause.IDENTITY);
            assertThat(w.message()).contains("no identity left");
        });
    }

    @Test
    void theFilterIsConfigurableAndAnnouncedInTheConfig() {
        IdentityLabelFilter filter = IdentityLabelFilter.of(List.of("version"));
        PodObject a = pod("a", Map.of("app", "web", "version", "1"), "10.0.0.1");
        PodObject b = pod("b", Map.of("app", "web", "version", "2", "pod-template-hash", "x"), "10.0.0.2");
        DesiredState d = ExportCompute.compute(CONFIG, new ExportCompute.Identities(filter, GRACE,
                IdentityTable.EMPTY, 0), Snapshot.synced(List.of(), List.of(), List.of(), List.of(a, b),
                List.of(DEMO), List.of()));
        assertThat(identityOf(d, "10.0.0.1")).isEqualTo(ID1);
        assertThat(identityOf(d, "10.0.0.2")).as("pod-template-hash counts with this filter").isEqualTo(ID2);
        assertThat(Manifests.settings("x", Duration.ofSeconds(5), Duration.ofSeconds(1)).clusterConfig()
                .getIdentityLabelFilter()).isEqualTo(IdentityLabelFilter.DEFAULT.toProto());
    }

    private static DesiredState compute(List<PodObject> pods, IdentityTable previous, long now, boolean complete) {
        EnumSet<SourceKind> synced = EnumSet.allOf(SourceKind.class);
        if (!complete) {
            synced.remove(SourceKind.NAMESPACES);
        }
        Snapshot s = new Snapshot(List.of(), List.of(), List.of(),
                pods.stream().sorted((x, y) -> x.ref().compareTo(y.ref())).toList(), List.of(DEMO), List.of(), synced);
        return ExportCompute.compute(CONFIG, new ExportCompute.Identities(IdentityLabelFilter.DEFAULT, GRACE, previous,
                now), s);
    }

    private static Map<String, Endpoint> endpoints(DesiredState d) {
        Map<String, Endpoint> out = new HashMap<>();
        d.values().forEach((k, v) -> {
            if (k.startsWith("mesh/v1/endpoints/c1/")) {
                out.put(k.substring("mesh/v1/endpoints/c1/".length()), (Endpoint) v);
            }
        });
        return out;
    }

    private static int identityOf(DesiredState d, String ip) {
        return endpoints(d).get(ip).getIdentity();
    }

    private static Map<String, String> labels(String app) {
        return Map.of("app", app, "io.kubernetes.pod.namespace", "demo", "io.cilium.k8s.policy.cluster", "c1");
    }

    private static PodObject pod(String name, Map<String, String> labels, String... ips) {
        return new PodObject(new ObjectRef("demo", name), labels, List.of(ips), "node-a", false, "Running", false, "",
                List.of());
    }

    private static PodObject withHostNetwork(PodObject p) {
        return new PodObject(p.ref(), p.labels(), p.ips(), p.node(), true, p.phase(), false, "", List.of());
    }

    private static PodObject withPhase(PodObject p, String phase, boolean terminating) {
        return new PodObject(p.ref(), p.labels(), p.ips(), p.node(), false, phase, terminating, "", List.of());
    }
}
