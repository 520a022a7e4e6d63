package dev.clustermesh.proxy.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.proxy.export.inventory.ExportObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.Snapshot;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Condition;
import dev.clustermesh.proto.mesh.v1.ImportType;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.proto.mesh.v1.ServiceExportStatus;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Multi-Cluster Services API state the exporter computes: a ServiceExport exports its Service as the global
 * annotation does, imports carry the union of ports and a clusterset IP, statuses say Valid/Ready/Conflict as the MCS
 * API names them, and clusterset IPs stay put.
 */
class McsComputeTest {
    private static final ClusterConfig CONFIG = ClusterConfig.newBuilder().setName("c1").setId(1).build();
    private static final Cidr CIDR = Cidr.parse("10.254.0.0/16").orElseThrow();
    private static final ObjectRef WEB = new ObjectRef("shop", "web");

    @Test
    void aServiceExportExportsItsServiceAndImportsItWithAClustersetIp() {
        DesiredState d = compute(List.of(service(WEB, "ClusterIP", "None", port("http", 80))),
                List.of(new ExportObject(WEB, 1_000)), List.of());
        ClusterService svc = (ClusterService) d.values().get("mesh/v1/services/c1/shop/web");
        assertThat(svc.getMcsExported()).isTrue();
        assertThat(svc.getExportCreatedUnixMillis()).isEqualTo(1_000);
        ServiceImport imp = imported(d);
        assertThat(imp.getType()).isEqualTo(ImportType.CLUSTER_SET_IP);
        assertThat(imp.getIpsList()).singleElement().satisfies(ip -> assertThat(ip).startsWith("10.254."));
        assertThat(imp.getClustersList()).containsExactly("c1");
        assertThat(status(d)).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Valid", "True", "Valid"),
                        org.assertj.core.groups.Tuple.tuple("Ready", "True", "Exported"),
                        org.assertj.core.groups.Tuple.tuple("Conflict", "False", "NoConflicts"),
                        org.assertj.core.groups.Tuple.tuple("Accepted", "True", "Accepted"),
                        org.assertj.core.groups.Tuple.tuple("Exported", "True", "Exported"),
                        org.assertj.core.groups.Tuple.tuple("Conflicted", "False", "NoConflicts"));
        assertThat(d.counts().get(ResourceKind.MCS)).isEqualTo(2);
    }

    @Test
    void anExportWithoutServiceOrOfAnExternalNameServiceIsInvalidAndExportsNothing() {
        DesiredState none = compute(List.of(), List.of(new ExportObject(WEB, 0)), List.of());
        assertThat(status(none).get(0)).extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("False", "NoService");
        assertThat(none.values()).doesNotContainKey("mesh/v1/local/imports/c1/shop/web");
        assertThat(none.warnings()).anySatisfy(w -> assertThat(w.cause()).isEqualTo(ExportWarning.Cause.SERVICE_EXPORT));

        DesiredState external = compute(List.of(service(WEB, "ExternalName", "None", port("http", 80))),
                List.of(new ExportObject(WEB, 0)), List.of());
        assertThat(status(external).get(0).getReason()).isEqualTo("InvalidServiceType");
        assertThat(external.values()).doesNotContainKey("mesh/v1/services/c1/shop/web");
    }

    @Test
    void theOldestExportWinsAndEveryExportShowsTheConflict() {
        ClusterService older = remote("c2", 500, false, "None", port("http", 8080));
        DesiredState d = compute(List.of(service(WEB, "ClusterIP", "ClientIP", port("http", 80), port("metrics", 9090))),
                List.of(new ExportObject(WEB, 1_000)), List.of(older));
        Condition conflict = status(d).get(2);
        assertThat(conflict.getStatus()).isEqualTo("True");
        assertThat(conflict.getReason()).isEqualTo("PortConflict,SessionAffinityConflict");
        assertThat(conflict.getMessage()).contains("cluster c1 exports port http 80/TCP, cluster c2 http 8080/TCP",
                "cluster c1's session affinity is ClientIP, cluster c2's None", "c2's, wins");
        ServiceImport imp = imported(d);
        assertThat(imp.getPortsList()).extracting(Port::getName, Port::getPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("http", 8080),
                        org.assertj.core.groups.Tuple.tuple("metrics", 9090));
        assertThat(imp.getSessionAffinity()).isEqualTo("None");
        assertThat(imp.getClustersList()).containsExactly("c1", "c2");

        // The same two exports seen from c2, the winner: the conflict is raised there too, with the same words.
        ClusterService newer = remote("c1", 1_000, false, "ClientIP", port("http", 80));
        DesiredState fromC2 = ExportCompute.compute(ClusterConfig.newBuilder().setName("c2").setId(2).build(),
                identities(ClustersetIps.of(CIDR, Map.of())), snapshot(List.of(service(WEB, "ClusterIP", "None",
                        port("http", 8080))), List.of(new ExportObject(WEB, 500)), List.of(newer)));
        assertThat(((ServiceExportStatus) fromC2.values().get("mesh/v1/local/exports/c2/shop/web"))
                .getConditions(2)).isEqualTo(conflict.toBuilder().build());

        // Alone, c1's export is in conflict with nobody.
        DesiredState alone = compute(List.of(service(WEB, "ClusterIP", "ClientIP", port("http", 80))),
                List.of(new ExportObject(WEB, 1_000)), List.of());
        assertThat(status(alone).get(2).getReason()).isEqualTo("NoConflicts");
    }

    @Test
    void aHeadlessWinnerMakesAHeadlessImportWithoutAddress() {
        DesiredState d = compute(List.of(service(WEB, "ClusterIP", "None", port("http", 80))),
                List.of(new ExportObject(WEB, 2_000)), List.of(remote("c2", 1_000, true, "None", port("http", 80))));
        assertThat(imported(d).getType()).isEqualTo(ImportType.HEADLESS);
        assertThat(imported(d).getIpsList()).isEmpty();
        assertThat(status(d).get(2).getReason()).isEqualTo("TypeConflict");
    }

    @Test
    void aRemoteOnlyExportIsImportedWhereTheNamespaceHasNoService() {
        DesiredState d = compute(List.of(), List.of(), List.of(remote("c2", 0, false, "None", port("http", 80))));
        assertThat(imported(d).getIpsCount()).isEqualTo(1);
        assertThat(d.values().keySet()).noneMatch(k -> k.startsWith("mesh/v1/local/exports/"));
    }

    @Test
    void clustersetIpsStayWhileTheImportExistsAndAreAdoptedByANewLeader() {
        List<ClusterService> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(ClusterService.newBuilder().setCluster("c2").setNamespace("ns").setName("s" + i).setMcsExported(true)
                    .addPorts(port("http", 80)).build());
        }
        DesiredState first = compute(List.of(), List.of(), many);
        Map<String, String> ips = ipsByName(first);
        assertThat(new HashSet<>(ips.values())).hasSize(50);

        DesiredState second = ExportCompute.compute(CONFIG, identities(first.clustersetIps()),
                snapshot(List.of(), List.of(), many.subList(10, 50)));
        Map<String, String> after = ipsByName(second);
        after.forEach((name, ip) -> assertThat(ip).as(name).isEqualTo(ips.get(name)));

        Map<String, ByteString> stored = new HashMap<>();
        second.values().forEach((k, v) -> stored.put(k, v.toByteString()));
        ClustersetIps adopted = StoredImports.adopt("c1", CIDR, stored);
        assertThat(adopted.byService()).hasSize(40);
        DesiredState third = ExportCompute.compute(CONFIG, identities(adopted), snapshot(List.of(), List.of(), many));
        ipsByName(third).forEach((name, ip) -> {
            if (after.containsKey(name)) {
                assertThat(ip).as(name).isEqualTo(after.get(name));
            }
        });
        assertThat(new HashSet<>(ipsByName(third).values())).hasSize(50);
    }

    /**
     * A new leader adopts the stored addresses; until the mesh's exports are all in (the MCS kind synced), imports not
     * seen yet keep theirs, so no other service can take one; once in, every import has its old address.
     */
    @Test
    void adoptedAddressesSurviveTheFirstComputationsBeforeTheMeshIsIn() {
        List<ClusterService> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(ClusterService.newBuilder().setCluster("c2").setNamespace("ns").setName("s" + i).setMcsExported(true)
                    .addPorts(port("http", 80)).build());
        }
        Map<String, String> before = ipsByName(compute(List.of(), List.of(), many));
        Map<String, ByteString> stored = new HashMap<>();
        before.forEach((k, ip) -> stored.put(k, ServiceImport.newBuilder().setCluster("c1").setNamespace("ns")
                .setName(k.substring(k.lastIndexOf('/') + 1)).addIps(ip).build().toByteString()));
        ClustersetIps adopted = StoredImports.adopt("c1", CIDR, stored);

        EnumSet<SourceKind> partial = EnumSet.allOf(SourceKind.class);
        partial.remove(SourceKind.MESH_EXPORTS);
        List<ClusterService> late = new ArrayList<>(many.subList(150, 300));
        late.add(ClusterService.newBuilder().setCluster("c2").setNamespace("ns").setName("newcomer").setMcsExported(true)
                .addPorts(port("http", 80)).build());
        DesiredState early = ExportCompute.compute(CONFIG, identities(adopted), new Snapshot(List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(), partial, List.of(), late));
        assertThat(early.clustersetIps().byService()).hasSize(301);
        assertThat(early.clustersetIps().byService().get(new ServiceName("ns", "newcomer")))
                .isNotIn(before.values());

        Map<String, String> after = ipsByName(ExportCompute.compute(CONFIG, identities(early.clustersetIps()),
                snapshot(List.of(), List.of(), many)));
        assertThat(after).isEqualTo(before);
    }

    @Test
    void ipv6AddressesAreWrittenInTheirShortestForm() {
        assertThat(format("fd00:254:0:0:0:0:0:1")).isEqualTo("fd00:254::1");
        assertThat(format("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(format("fd00:0:0:1:0:0:0:0")).isEqualTo("fd00:0:0:1::");
        assertThat(format("fd00:0:1:0:1:0:1:0")).isEqualTo("fd00:0:1:0:1:0:1:0");
        assertThat(format("10.254.0.1")).isEqualTo("10.254.0.1");
    }

    @Test
    void aFullCidrLeavesTheRestWithoutAddressAndNeverHandsOutNetworkOrBroadcast() {
        Cidr tiny = Cidr.parse("10.254.0.0/30").orElseThrow();
        assertThat(ClustersetIps.size(tiny)).isEqualTo(2);
        ClustersetIps ips = ClustersetIps.of(tiny, Map.of()).allocate(List.of(new ServiceName("a", "x"),
                new ServiceName("a", "y"), new ServiceName("a", "z")));
        assertThat(ips.byService()).hasSize(2);
        assertThat(Set.copyOf(ips.byService().values())).containsExactlyInAnyOrder("10.254.0.1", "10.254.0.2");
        ClustersetIps v6 = ClustersetIps.of(Cidr.parse("fd00:254::/64").orElseThrow(), Map.of())
                .allocate(List.of(new ServiceName("a", "x")));
        assertThat(v6.byService().get(new ServiceName("a", "x"))).startsWith("fd00:254:");
    }

    @Test
    void exportedLabelsAndAnnotationsGoOnTheImportAndDifferentOnesConflict() {
        ClusterService older = remote("c2", 500, false, "None", port("http", 80)).toBuilder()
                .putExportedLabels("tier", "gold").putExportedAnnotations("owner", "team-a").build();
        ExportObject mine = new ExportObject(WEB, 1_000, List.of(), java.util.Optional.empty(), Map.of("tier", "silver"),
                Map.of("owner", "team-a"));
        DesiredState d = compute(List.of(service(WEB, "ClusterIP", "None", port("http", 80))), List.of(mine),
                List.of(older));
        assertThat(imported(d).getLabelsMap()).as("the oldest export's").containsExactly(Map.entry("tier", "gold"));
        assertThat(imported(d).getAnnotationsMap()).containsExactly(Map.entry("owner", "team-a"));
        assertThat(status(d)).filteredOn(c -> c.getType().equals("Conflicted")).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("LabelsConflict"));
        ClusterService own = (ClusterService) d.values().get("mesh/v1/services/c1/shop/web");
        assertThat(own.getExportedLabelsMap()).containsExactly(Map.entry("tier", "silver"));

        ExportObject bad = new ExportObject(WEB, 1_000, List.of(), java.util.Optional.empty(),
                Map.of("a b", "x", "tier", "no spaces allowed", "example.com/team", "a"), Map.of("Bad Key", "x"));
        DesiredState kept = compute(List.of(service(WEB, "ClusterIP", "None", port("http", 80))), List.of(bad),
                List.of());
        assertThat(imported(kept).getLabelsMap()).as("what Kubernetes takes as labels")
                .containsExactly(Map.entry("example.com/team", "a"));
        assertThat(imported(kept).getAnnotationsMap()).isEmpty();
        assertThat(kept.warnings()).extracting(ExportWarning::message).anySatisfy(m -> assertThat(m)
                .contains("spec.exportedLabels key 'a b' is not a qualified name")).anySatisfy(m -> assertThat(m)
                .contains("spec.exportedLabels.tier value 'no spaces allowed' is not a label value"))
                .anySatisfy(m -> assertThat(m).contains("spec.exportedAnnotations key 'Bad Key'"));
    }

    @Test
    void anotherClientIpTimeoutIsASessionAffinityConfigConflictAndTheDefaultIsKubernetes() {
        assertThat(service(WEB, "ClusterIP", "ClientIP").affinityTimeoutSeconds()).isEqualTo(10_800);
        assertThat(service(WEB, "ClusterIP", "None").affinityTimeoutSeconds()).isZero();
        ClusterService older = remote("c2", 500, false, "ClientIP", port("http", 80)).toBuilder()
                .setSessionAffinityTimeoutSeconds(60).build();
        DesiredState d = compute(List.of(service(WEB, "ClusterIP", "ClientIP", port("http", 80))),
                List.of(new ExportObject(WEB, 1_000)), List.of(older));
        assertThat(imported(d).getSessionAffinityTimeoutSeconds()).as("the oldest export's").isEqualTo(60);
        assertThat(status(d).get(2).getReason()).isEqualTo("SessionAffinityConfigConflict");
    }

    @Test
    void anotherInternalTrafficPolicyOrTrafficDistributionConflictsAndTheOldestsIsImported() {
        ClusterService older = remote("c2", 500, false, "None", port("http", 80)).toBuilder()
                .setTrafficDistribution("PreferClose").build();
        ServiceObject mine = new ServiceObject(WEB, Map.of(), List.of("10.96.0.10"), false,
                List.of(new PortSpec("http", "TCP", 80)), "1", "ClusterIP", "None", 0,
                new ServiceObject.Traffic("Local", ""));
        DesiredState d = compute(List.of(mine), List.of(new ExportObject(WEB, 1_000)), List.of(older));
        assertThat(status(d).get(2).getReason()).isEqualTo("InternalTrafficPolicyConflict,TrafficDistributionConflict");
        assertThat(imported(d).getInternalTrafficPolicy()).as("unset, which is Cluster").isEmpty();
        assertThat(imported(d).getTrafficDistribution()).isEqualTo("PreferClose");

        ClusterService cluster = older.toBuilder().setInternalTrafficPolicy("Cluster").setTrafficDistribution("").build();
        DesiredState same = compute(List.of(service(WEB, "ClusterIP", "None", port("http", 80))),
                List.of(new ExportObject(WEB, 1_000)), List.of(cluster));
        assertThat(status(same).get(2).getReason()).as("unset is Cluster").isEqualTo("NoConflicts");
    }

    private static String format(String ip) {
        return dev.clustermesh.core.net.IpAddresses.format(dev.clustermesh.core.net.IpAddresses.parse(ip).orElseThrow());
    }

    private static Map<String, String> ipsByName(DesiredState d) {
        return d.values().entrySet().stream().filter(e -> e.getValue() instanceof ServiceImport)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> ((ServiceImport) e.getValue()).getIps(0)));
    }

    private static DesiredState compute(List<ServiceObject> services, List<ExportObject> exports,
            List<ClusterService> mesh) {
        return ExportCompute.compute(CONFIG, identities(ClustersetIps.of(CIDR, Map.of())),
                snapshot(services, exports, mesh));
    }

    private static ExportCompute.Identities identities(ClustersetIps ips) {
        return new ExportCompute.Identities(IdentityLabelFilter.DEFAULT, Duration.ofMinutes(1),
                IdentityTable.EMPTY, 0, ips);
    }

    private static Snapshot snapshot(List<ServiceObject> services, List<ExportObject> exports,
            List<ClusterService> mesh) {
        return new Snapshot(services, List.of(), List.of(), List.of(), List.of(), List.of(),
                EnumSet.allOf(SourceKind.class), exports, mesh);
    }

    private static ServiceImport imported(DesiredState d) {
        return (ServiceImport) d.values().get("mesh/v1/local/imports/c1/shop/web");
    }

    private static List<Condition> status(DesiredState d) {
        return ((ServiceExportStatus) d.values().get("mesh/v1/local/exports/c1/shop/web")).getConditionsList();
    }

    private static ServiceObject service(ObjectRef ref, String type, String affinity, Port... ports) {
        List<PortSpec> specs = new ArrayList<>();
        for (Port p : ports) {
            specs.add(new PortSpec(p.getName(), p.getProtocol().name(), p.getPort()));
        }
        return new ServiceObject(ref, Map.of(), List.of("10.96.0.10"), false, specs, "1", type, affinity);
    }

    private static ClusterService remote(String cluster, long created, boolean headless, String affinity,
            Port... ports) {
        return ClusterService.newBuilder().setCluster(cluster).setNamespace("shop").setName("web").setShared(true)
                .setMcsExported(true).setExportCreatedUnixMillis(created).setHeadless(headless)
                .setSessionAffinity(affinity).addAllPorts(List.of(ports)).build();
    }

    private static Port port(String name, int number) {
        return Port.newBuilder().setName(name).setPort(number).setProtocol(Protocol.TCP).build();
    }
}
