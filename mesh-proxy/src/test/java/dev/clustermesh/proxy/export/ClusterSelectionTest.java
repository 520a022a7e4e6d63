package dev.clustermesh.proxy.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.identity.IdentityLabelFilter;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.proxy.export.inventory.ExportObject;
import dev.clustermesh.proxy.export.inventory.ObjectRef;
import dev.clustermesh.proxy.export.inventory.PortSpec;
import dev.clustermesh.proxy.export.inventory.PropertyObject;
import dev.clustermesh.proxy.export.inventory.ServiceObject;
import dev.clustermesh.proxy.export.inventory.Snapshot;
import dev.clustermesh.proxy.export.inventory.SourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterSelector;
import dev.clustermesh.proto.mesh.v1.ClusterSelectorResult;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Condition;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.PropertyRequirement;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.proto.mesh.v1.ServiceExportStatus;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Cluster selection (KEP-5939) as each importing cluster computes it: selectors resolved with the importer's
 * properties, evaluated over the exporting clusters' ClusterProperties in order, conflicts and invalid selectors
 * reported on the ServiceExport as the KEP names them.
 */
class ClusterSelectionTest {
    private static final ObjectRef API = new ObjectRef("shop", "api");
    private static final ClusterSelector SAME_CLUSTER = ClusterSelector.newBuilder().addMatchExpressions(
            PropertyRequirement.newBuilder().setKey("cluster.clusterset.k8s.io").setOperator("In")
                    .addValues("@SameAsImporter@")).build();
    private static final ClusterSelector SAME_REGION = ClusterSelector.newBuilder()
            .putMatchProperties("region.topology.k8s.io", "@SameAsImporter@").build();
    private static final ClusterSelector SAME_CONTINENT = ClusterSelector.newBuilder()
            .putMatchProperties("continent.topology.k8s.io", "@SameAsImporter@").build();
    private static final Map<String, Map<String, String>> CLUSTERS = Map.of(
            "a", props("a", "eu-west", "europe"), "b", props("b", "eu-west", "europe"),
            "c", props("c", "eu-north", "europe"), "d", props("d", "us-east", "america"));

    @Test
    void theKepsLocalityStoryGivesOwnThenRegionThenContinent() {
        List<ClusterSelector> resolved = List.of(SAME_CLUSTER, SAME_REGION, SAME_CONTINENT).stream()
                .map(s -> ClusterSelection.resolve(s, CLUSTERS.get("a"))).toList();
        assertThat(resolved.get(1).getMatchPropertiesMap()).containsEntry("region.topology.k8s.io", "eu-west");
        assertThat(clusters(ClusterSelection.results(resolved, CLUSTERS)))
                .containsExactly(List.of("a"), List.of("a", "b"), List.of("a", "b", "c"));
    }

    @Test
    void aPropertyTheImporterLacksSelectsNothingAndNotInHoldsWithoutTheProperty() {
        Map<String, String> bare = ClusterSelection.withClusterName("e", Map.of());
        ClusterSelector region = ClusterSelection.resolve(SAME_REGION, bare);
        assertThat(ClusterSelection.matches(region, CLUSTERS.get("a"))).isFalse();
        ClusterSelector notEurope = ClusterSelector.newBuilder().addMatchExpressions(PropertyRequirement.newBuilder()
                .setKey("continent.topology.k8s.io").setOperator("NotIn").addValues("europe")).build();
        assertThat(ClusterSelection.matches(notEurope, bare)).isTrue();
        assertThat(ClusterSelection.matches(notEurope, CLUSTERS.get("d"))).isTrue();
        assertThat(ClusterSelection.matches(notEurope, CLUSTERS.get("a"))).isFalse();
        ClusterSelector noGpu = ClusterSelector.newBuilder().addMatchExpressions(PropertyRequirement.newBuilder()
                .setKey("gpu.example.com").setOperator("DoesNotExist")).build();
        assertThat(ClusterSelection.matches(noGpu, bare)).isTrue();
    }

    @Test
    void theImportCarriesResolvedSelectorsAndResultsFromTheMeshsProperties() {
        ClusterService b = remote("b", 100, List.of(SAME_CLUSTER, SAME_REGION));
        ClusterService d = remote("d", 200, List.of(SAME_CLUSTER, SAME_REGION));
        DesiredState state = compute(List.of(service(false)),
                List.of(new ExportObject(API, 300, List.of(SAME_CLUSTER, SAME_REGION), Optional.empty())),
                List.of(b, d), List.of(new PropertyObject("region.topology.k8s.io", "eu-west")),
                Map.of("b", CLUSTERS.get("b"), "d", CLUSTERS.get("d")));
        ServiceImport imp = (ServiceImport) state.values().get("mesh/v1/local/imports/c1/shop/api");
        assertThat(imp.getClusterSelectors(0).getMatchExpressions(0).getValuesList()).containsExactly("c1");
        assertThat(imp.getClusterSelectors(1).getMatchPropertiesMap())
                .containsExactly(Map.entry("region.topology.k8s.io", "eu-west"));
        assertThat(clusters(imp.getClusterSelectorResultsList())).containsExactly(List.of("c1"), List.of("b", "c1"));
        ClusterConfig config = (ClusterConfig) state.values().get("mesh/v1/config/c1");
        assertThat(config.getPropertiesMap()).as("properties travel with the config")
                .containsExactly(Map.entry("region.topology.k8s.io", "eu-west"));
        assertThat(conditions(state)).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("NoConflicts"));
    }

    @Test
    void differentSelectorsConflictAndTheOldestExportsWin() {
        ClusterService older = remote("b", 100, List.of(SAME_REGION));
        DesiredState state = compute(List.of(service(false)),
                List.of(new ExportObject(API, 300, List.of(SAME_CLUSTER), Optional.empty())), List.of(older),
                List.of(), Map.of("b", CLUSTERS.get("b")));
        assertThat(conditions(state)).filteredOn(c -> c.getType().equals("Conflict")).singleElement()
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("True");
                    assertThat(c.getReason()).isEqualTo("ClusterSelectorsConflict");
                    assertThat(c.getMessage()).contains("cluster b");
                });
        ServiceImport imp = (ServiceImport) state.values().get("mesh/v1/local/imports/c1/shop/api");
        assertThat(imp.getClusterSelectorsList()).as("the winner's (b's) selectors").hasSize(1);
        assertThat(imp.getClusterSelectors(0).getMatchPropertiesMap()).containsKey("region.topology.k8s.io");
    }

    @Test
    void invalidSelectorsOrSelectorsOnAHeadlessServiceMakeTheExportInvalidAndExportNothing() {
        DesiredState bad = compute(List.of(service(false)), List.of(new ExportObject(API, 1, List.of(),
                Optional.of("spec.clusterSelectors[0].propertySelector is empty"))), List.of(), List.of(), Map.of());
        assertThat(conditions(bad).get(0)).extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly("False", "InvalidClusterSelector", "spec.clusterSelectors[0].propertySelector is empty");
        assertThat(bad.values()).doesNotContainKey("mesh/v1/services/c1/shop/api");
        assertThat(bad.warnings()).anySatisfy(w -> assertThat(w.cause()).isEqualTo(ExportWarning.Cause.SERVICE_EXPORT));

        DesiredState headless = compute(List.of(service(true)),
                List.of(new ExportObject(API, 1, List.of(SAME_CLUSTER), Optional.empty())), List.of(), List.of(),
                Map.of());
        assertThat(conditions(headless).get(0)).extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("False", "InvalidServiceType");
        assertThat(headless.values()).doesNotContainKey("mesh/v1/local/imports/c1/shop/api");
    }

    @Test
    void aNewLeaderKeepsAnnouncingTheStoredPropertiesUntilTheSourceHasReadThem() {
        ClusterConfig stored = ClusterConfig.newBuilder().setName("c1").setId(1)
                .putProperties("region.topology.k8s.io", "eu-west").build();
        Map<String, String> adopted = StoredImports.properties("c1",
                Map.of("mesh/v1/config/c1", stored.toByteString()));
        assertThat(adopted).containsExactly(Map.entry("region.topology.k8s.io", "eu-west"));
        EnumSet<SourceKind> early = EnumSet.allOf(SourceKind.class);
        early.remove(SourceKind.CLUSTER_PROPERTIES);
        Snapshot s = new Snapshot(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), early, List.of(),
                List.of(), List.of(), Map.of());
        DesiredState d = ExportCompute.compute(ClusterConfig.newBuilder().setName("c1").setId(1)
                .putAllProperties(adopted).build(), s);
        assertThat(((ClusterConfig) d.values().get("mesh/v1/config/c1")).getPropertiesMap())
                .containsExactly(Map.entry("region.topology.k8s.io", "eu-west"));
        assertThat(StoredImports.properties("c1", Map.of("mesh/v1/config/c1",
                com.google.protobuf.ByteString.copyFromUtf8("not a config")))).isEmpty();
    }

    private static Map<String, String> props(String cluster, String region, String continent) {
        return ClusterSelection.withClusterName(cluster,
                Map.of("region.topology.k8s.io", region, "continent.topology.k8s.io", continent));
    }

    private static List<List<String>> clusters(List<ClusterSelectorResult> results) {
        return results.stream().map(r -> List.copyOf(r.getClustersList())).toList();
    }

    private static DesiredState compute(List<ServiceObject> services, List<ExportObject> exports,
            List<ClusterService> mesh, List<PropertyObject> own, Map<String, Map<String, String>> meshProperties) {
        Snapshot s = new Snapshot(services, List.of(), List.of(), List.of(), List.of(), List.of(),
                EnumSet.allOf(SourceKind.class), exports, mesh, own, meshProperties);
        return ExportCompute.compute(ClusterConfig.newBuilder().setName("c1").setId(1).build(),
                new ExportCompute.Identities(IdentityLabelFilter.DEFAULT, Duration.ofMinutes(1), IdentityTable.EMPTY,
                        0, ClustersetIps.of(Cidr.parse("10.254.0.0/16").orElseThrow(), Map.of())), s);
    }

    private static List<Condition> conditions(DesiredState d) {
        return ((ServiceExportStatus) d.values().get("mesh/v1/local/exports/c1/shop/api")).getConditionsList();
    }

    private static ServiceObject service(boolean headless) {
        return new ServiceObject(API, Map.of(), headless ? List.of() : List.of("10.96.0.20"), headless,
                List.of(new PortSpec("http", "TCP", 80)), "1", "ClusterIP", "None");
    }

    private static ClusterService remote(String cluster, long created, List<ClusterSelector> selectors) {
        return ClusterService.newBuilder().setCluster(cluster).setNamespace("shop").setName("api").setShared(true)
                .setMcsExported(true).setExportCreatedUnixMillis(created).addAllClusterSelectors(selectors)
                .addPorts(Port.newBuilder().setName("http").setPort(80).setProtocol(Protocol.TCP)).build();
    }
}
