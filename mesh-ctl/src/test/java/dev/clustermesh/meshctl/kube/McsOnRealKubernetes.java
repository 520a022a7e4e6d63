package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeMeshHarness.held;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clustermesh.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The Multi-Cluster Services API against real API servers, run by {@link ExporterOnRealKubernetesIT} on its two
 * connected clusters (one set-up for both: real API servers take a while to start): the overlays install the CRDs; a
 * ServiceExport in cluster2 makes cluster2's mesh-proxy write its status (Valid, Ready, Conflict) and cluster1's
 * mesh-proxy create a ServiceImport with a clusterset IP in cluster1, whose agent programs it with cluster2's pods though
 * cluster1 has no such Service; a later export of the same name with another port in cluster1 puts both exports in
 * conflict (the oldest's port is imported); an export without a Service is not valid; a withdrawn export removes the
 * ServiceImport. Then the mcs-api conformance cases that need no command inside a pod ({@link McsConformance}).
 */
abstract class McsOnRealKubernetes {
    private static final Duration WAIT = Duration.ofSeconds(90);

    /** The two connected clusters; set by the subclass's set-up. */
    static KubeMeshHarness mesh;

    @Test
    @Order(1)
    void anExportInCluster2IsImportedInCluster1WithAClustersetIpAndProgrammedWithoutALocalService() {
        mesh.apply("cluster2", "echo", echo(80, 3));
        Eventually.await(WAIT, () -> {
            JsonNode imp = get("cluster1", "serviceimport", "echo");
            assertThat(imp.path("spec").path("type").asText()).isEqualTo("ClusterSetIP");
            assertThat(imp.path("spec").path("ips").get(0).asText()).startsWith("10.254.");
            assertThat(imp.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(80);
            assertThat(imp.path("status").path("clusters").toString()).isEqualTo("[{\"cluster\":\"cluster2\"}]");
        });
        Eventually.await(WAIT, () -> assertThat(conditions("cluster2", "echo")).isEqualTo(Map.of(
                "Valid", "True/Valid", "Ready", "True/Exported", "Conflict", "False/NoConflicts",
                "Accepted", "True/Accepted", "Exported", "True/Exported", "Conflicted", "False/NoConflicts")));
        String clusterset = get("cluster1", "serviceimport", "echo").path("spec").path("ips").get(0).asText();
        Eventually.await(WAIT, () -> {
            assertThat(held(mesh.site("cluster1").agentAddress(), "echo").all())
                    .isEqualTo(Map.of("cluster2", mesh.podIps("cluster2", "app=echo")));
            assertThat(mesh.site("cluster1").client().services().inNamespace("default").withName("echo").get())
                    .as("cluster1 has no Service echo").isNull();
        });
        assertThat(frontends("cluster1", "echo")).containsExactly(clusterset + ":80/TCP");
        // The import's EndpointSlices, as MCS consumers read them: cluster2's pods, labelled for the import.
        Eventually.await(WAIT, () -> assertThat(importedSlices("cluster1", "echo"))
                .isEqualTo(Map.of("cluster2", mesh.podIps("cluster2", "app=echo"))));
        JsonNode own = get("cluster2", "serviceimport", "echo");
        assertThat(own.path("spec").path("ips").get(0).asText()).as("the exporting cluster imports it too")
                .startsWith("10.254.");
    }

    @Test
    @Order(2)
    void aLaterExportWithAnotherPortIsInConflictInBothClustersAndTheOldestWins() {
        mesh.apply("cluster1", "echo", echo(8080, 1));
        Eventually.await(WAIT, () -> {
            assertThat(conditions("cluster1", "echo")).containsEntry("Conflict", "True/PortConflict");
            assertThat(conditions("cluster2", "echo")).as("raised on the winner too")
                    .containsEntry("Conflict", "True/PortConflict");
            assertThat(get("cluster1", "serviceimport", "echo").path("spec").path("ports").get(0).path("port")
                    .asInt()).as("the oldest export's port").isEqualTo(80);
            assertThat(get("cluster1", "serviceimport", "echo").path("status").path("clusters").toString())
                    .isEqualTo("[{\"cluster\":\"cluster1\"},{\"cluster\":\"cluster2\"}]");
        });
        assertThat(get("cluster1", "serviceexport", "echo").path("status").path("conditions").toString())
                .contains("cluster cluster1 exports port http 8080/TCP, cluster cluster2 http 80/TCP");
    }

    @Test
    @Order(3)
    void anExportWithoutServiceIsNotValidAndAWithdrawnExportRemovesTheImport() {
        mesh.apply("cluster1", "lonely", "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\n"
                + "metadata:\n  name: lonely\n");
        Eventually.await(WAIT, () -> assertThat(conditions("cluster1", "lonely"))
                .containsEntry("Valid", "False/NoService").containsEntry("Ready", "False/Failed"));
        assertThat(importObject("cluster1", "lonely")).isNull();

        mesh.kube.cluster("cluster1").kubectl("delete", "serviceexport", "echo");
        mesh.kube.cluster("cluster2").kubectl("delete", "serviceexport", "echo");
        Eventually.await(WAIT, () -> {
            assertThat(importObject("cluster1", "echo")).isNull();
            assertThat(frontends("cluster1", "echo")).as("only cluster1's own Service is left, not global")
                    .isEmpty();
            assertThat(importedSlices("cluster1", "echo")).as("its EndpointSlices go with it").isEmpty();
        });
    }

    /**
     * ServiceExport cluster selectors (KEP-5939): with ClusterProperty region eu-west in both clusters and the
     * selectors "the importer's cluster" then "the importer's region", each cluster's ServiceImport carries the
     * selectors resolved for it and the results; each agent uses its own cluster's pods; cluster1 scaled to 0, its
     * agent uses cluster2's (tier 2). Different selectors in a later export: ClusterSelectorsConflict on both; an empty
     * propertySelector: not valid, with the field named.
     */
    @Test
    @Order(4)
    void clusterSelectorsOrderTheClustersByClusterPropertiesPerImporter() {
        for (String c : new String[] {"cluster1", "cluster2"}) {
            mesh.apply(c, "region", "apiVersion: about.k8s.io/v1alpha1\nkind: ClusterProperty\nmetadata:\n"
                    + "  name: region.topology.k8s.io\nspec:\n  value: eu-west\n");
        }
        mesh.apply("cluster2", "tiered", tiered(2, SELECTORS));
        mesh.apply("cluster1", "tiered", tiered(1, SELECTORS));
        for (String c : new String[] {"cluster1", "cluster2"}) {
            String other = c.equals("cluster1") ? "cluster2" : "cluster1";
            Eventually.await(WAIT, () -> {
                JsonNode imp = get(c, "serviceimport", "tiered");
                assertThat(imp.path("status").path("clusterSelectorResults").toString()).isEqualTo(
                        "[{\"clusters\":[\"" + c + "\"]},{\"clusters\":[\"cluster1\",\"cluster2\"]}]");
                assertThat(imp.path("metadata").path("labels").path("tier").asText()).as("exportedLabels")
                        .isEqualTo("gold");
                assertThat(imp.path("metadata").path("annotations").path("owner").asText()).isEqualTo("team-a");
                assertThat(imp.path("spec").path("clusterSelectors").toString()).contains("\"values\":[\"" + c + "\"]",
                        "\"region.topology.k8s.io\":\"eu-west\"").doesNotContain(other);
                assertThat(held(mesh.site(c).agentAddress(), "tiered").usable())
                        .isEqualTo(Map.of(c, mesh.podIps(c, "app=tiered")));
            });
        }
        mesh.kube.cluster("cluster1").kubectl("scale", "deployment", "tiered", "--replicas=0");
        Eventually.await(WAIT, () -> assertThat(held(mesh.site("cluster1").agentAddress(), "tiered").usable())
                .isEqualTo(Map.of("cluster2", mesh.podIps("cluster2", "app=tiered"))));

        mesh.apply("cluster1", "tiered", tiered(0, "  clusterSelectors:\n  - propertySelector:\n"
                + "      matchProperties: {region.topology.k8s.io: \"@SameAsImporter@\"}\n"));
        Eventually.await(WAIT, () -> {
            assertThat(conditions("cluster1", "tiered")).as("and no exportedLabels any more")
                    .containsEntry("Conflict", "True/LabelsConflict,AnnotationsConflict,ClusterSelectorsConflict");
            assertThat(conditions("cluster2", "tiered")).containsEntry("Conflicted",
                    "True/LabelsConflict,AnnotationsConflict,ClusterSelectorsConflict");
        });
        mesh.apply("cluster1", "tiered", tiered(0, "  clusterSelectors:\n  - propertySelector: {}\n"));
        Eventually.await(WAIT, () -> assertThat(conditions("cluster1", "tiered"))
                .containsEntry("Valid", "False/InvalidClusterSelector"));
        assertThat(get("cluster1", "serviceexport", "tiered").path("status").path("conditions").toString())
                .contains("spec.clusterSelectors[0].propertySelector is empty");
        mesh.kube.cluster("cluster1").kubectl("delete", "serviceexport", "tiered");
        mesh.kube.cluster("cluster2").kubectl("delete", "serviceexport", "tiered");
    }

    private static final String SELECTORS = "  exportedLabels: {tier: gold}\n  exportedAnnotations: {owner: team-a}\n"
            + "  clusterSelectors:\n  - propertySelector:\n      matchExpressions:\n"
            + "      - {key: cluster.clusterset.k8s.io, operator: In, values: [\"@SameAsImporter@\"]}\n"
            + "  - propertySelector:\n      matchProperties: {region.topology.k8s.io: \"@SameAsImporter@\"}\n";

    /** Service tiered with {@code replicas} pods and its ServiceExport, whose spec is {@code selectors}. */
    private static String tiered(int replicas, String selectors) {
        return echo(80, replicas).replace("echo", "tiered") + "spec:\n" + selectors;
    }

    /**
     * mcs-api conformance, service_import.go: an import exists while at least one cluster exports (and in every
     * cluster), is of type ClusterSetIP with an IP, the exported ports and session affinity; unexported everywhere,
     * it is deleted everywhere.
     */
    @Test
    @Order(10)
    void conformanceClusterSetIpImportLifecycle() {
        McsConformance c = new McsConformance(mesh, "mcs-conformance-1");
        c.export("cluster1", McsConformance.helloPorts(), "");
        for (String cluster : McsConformance.clusters()) {
            JsonNode imp = c.awaitImport(cluster);
            assertThat(imp.path("spec").path("type").asText()).isEqualTo("ClusterSetIP");
            assertThat(McsConformance.isIp(imp.path("spec").path("ips").path(0).asText())).as("ips[0] of %s", imp)
                    .isTrue();
            assertThat(McsConformance.ports(imp)).containsExactly("tcp/TCP/42", "udp/UDP/42");
            assertThat(imp.path("spec").path("sessionAffinity").asText()).isEqualTo("ClientIP");
            assertThat(imp.path("spec").path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds").asInt())
                    .as("sessionAffinityConfig").isEqualTo(10);
            assertThat(imp.path("spec").path("internalTrafficPolicy").asText()).as("the Service's (the API server's "
                    + "default)").isEqualTo("Cluster");
        }
        c.exportLaterInCluster2(McsConformance.helloPorts(), "");
        c.staysImported("cluster1", true, 5);
        c.unexport("cluster1");
        c.staysImported("cluster1", true, 5);
        c.unexport("cluster2");
        McsConformance.clusters().forEach(c::awaitNoImport);
    }

    /**
     * mcs-api conformance, DNS (ClusterIP): each cluster's mesh-dns resolves the clusterset name to that cluster's
     * clusterset IP, and an SRV query of it answers one record, port 42, pointing at the name itself.
     */
    @Test
    @Order(11)
    void conformanceClusterSetIpDns() {
        McsConformance c = new McsConformance(mesh, "mcs-conformance-2");
        c.export("cluster1", McsConformance.helloPorts(), "");
        for (String cluster : McsConformance.clusters()) {
            String ip = c.awaitImport(cluster).path("spec").path("ips").path(0).asText();
            Eventually.await(McsConformance.WAIT, () -> assertThat(c.dig(cluster, "A")).containsExactly(ip));
            assertThat(c.dig(cluster, "SRV")).containsExactly("0 100 42 hello.mcs-conformance-2.svc.clusterset.local.");
        }
    }

    /** mcs-api conformance: the union of two clusters' ports; conflicting ports (both exports say so, oldest wins). */
    @Test
    @Order(12)
    void conformancePortsUnionAndConflict() {
        McsConformance union = new McsConformance(mesh, "mcs-conformance-3");
        union.export("cluster1", McsConformance.helloPorts(), "");
        union.awaitImport("cluster1");
        union.exportLaterInCluster2(McsConformance.helloPorts() + "\n  - {name: stcp, port: 142, protocol: SCTP}",
                "  internalTrafficPolicy: Local\n  trafficDistribution: PreferClose\n");
        Eventually.await(McsConformance.WAIT, () -> {
            assertThat(McsConformance.ports(union.serviceImport("cluster1")))
                    .containsExactly("stcp/SCTP/142", "tcp/TCP/42", "udp/UDP/42");
            // The newer cases: another internalTrafficPolicy and trafficDistribution are conflicts, the oldest's apply.
            for (String cluster : McsConformance.clusters()) {
                assertThat(union.reason(cluster, "Conflicted"))
                        .isEqualTo("InternalTrafficPolicyConflict,TrafficDistributionConflict");
            }
            JsonNode spec = union.serviceImport("cluster2").path("spec");
            assertThat(spec.path("internalTrafficPolicy").asText()).isEqualTo("Cluster");
            assertThat(spec.has("trafficDistribution")).isFalse();
        });

        McsConformance conflict = new McsConformance(mesh, "mcs-conformance-4");
        conflict.export("cluster1", McsConformance.helloPorts(), "");
        conflict.awaitImport("cluster1");
        conflict.exportLaterInCluster2("  - {name: tcp, port: 43, protocol: TCP}", "");
        Eventually.await(McsConformance.WAIT, () -> {
            for (String cluster : McsConformance.clusters()) {
                assertThat(conflict.conditions(cluster)).containsEntry("Conflict", "True");
            }
            assertThat(McsConformance.ports(conflict.serviceImport("cluster2")))
                    .containsExactly("tcp/TCP/42", "udp/UDP/42");
        });
    }

    /**
     * mcs-api conformance: a headless export imports as Headless without IP, its clusterset name answers the pods' IPs
     * in every cluster and its EndpointSlices hold them; conflicting headlessness is a conflict
     * on both exports and the oldest (ClusterSetIP) wins; an ExternalName export is not valid and imports nothing.
     */
    @Test
    @Order(13)
    void conformanceHeadlessAndExternalName() {
        McsConformance headless = new McsConformance(mesh, "mcs-conformance-5");
        headless.export("cluster1", McsConformance.helloPorts(), "  clusterIP: None\n");
        for (String cluster : McsConformance.clusters()) {
            JsonNode imp = headless.awaitImport(cluster);
            assertThat(imp.path("spec").path("type").asText()).isEqualTo("Headless");
            assertThat(imp.path("spec").path("ips").size()).isZero();
        }
        // Headless DNS and EndpointSlices: in every cluster the clusterset name answers the exporting pods' IPs, and
        // the import's slices hold them, from cluster1.
        Eventually.await(McsConformance.WAIT, () -> {
            String ips = mesh.kube.cluster("cluster1").kubectl("get", "pods", "-n", "mcs-conformance-5", "-l",
                    "app=hello", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].status.podIP}")
                    .strip();
            assertThat(ips).isNotEmpty();
            TreeSet<String> pods = new TreeSet<>(java.util.List.of(ips.split(" ")));
            for (String cluster : McsConformance.clusters()) {
                assertThat(new TreeSet<>(headless.dig(cluster, "A"))).as("A at %s", cluster).isEqualTo(pods);
                assertThat(importedSlices(cluster, "mcs-conformance-5", "hello")).as("slices in %s", cluster)
                        .isEqualTo(Map.of("cluster1", pods));
            }
        });

        McsConformance mixed = new McsConformance(mesh, "mcs-conformance-6");
        mixed.export("cluster1", McsConformance.helloPorts(), "");
        mixed.awaitImport("cluster1");
        mixed.exportLaterInCluster2(McsConformance.helloPorts(), "  clusterIP: None\n");
        Eventually.await(McsConformance.WAIT, () -> {
            for (String cluster : McsConformance.clusters()) {
                assertThat(mixed.conditions(cluster)).containsEntry("Conflict", "True");
                assertThat(mixed.serviceImport(cluster).path("spec").path("type").asText()).isEqualTo("ClusterSetIP");
            }
        });

        String ns = "mcs-conformance-7";
        McsConformance external = new McsConformance(mesh, ns);
        mesh.apply("cluster1", ns, "apiVersion: v1\nkind: Service\nmetadata: {name: hello, namespace: " + ns + "}\n"
                + "spec: {type: ExternalName, externalName: example.com}\n---\n"
                + "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: {name: hello, namespace: "
                + ns + "}\n");
        Eventually.await(McsConformance.WAIT, () -> assertThat(external.conditions("cluster1"))
                .containsEntry("Valid", "False"));
        external.staysImported("cluster1", false, 5);
    }

    /** A Service echo with {@code port} named http, its pods, and its ServiceExport. */
    private static String echo(int port, int replicas) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: echo
                spec:
                  ports:
                  - name: http
                    port: %d
                    targetPort: 80
                  selector:
                    app: echo
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: echo
                spec:
                  replicas: %d
                  selector:
                    matchLabels:
                      app: echo
                  template:
                    metadata:
                      labels:
                        app: echo
                    spec:
                      containers:
                      - name: echo
                        image: registry.k8s.io/pause:3.10
                        ports:
                        - name: http
                          containerPort: 80
                ---
                apiVersion: multicluster.x-k8s.io/v1alpha1
                kind: ServiceExport
                metadata:
                  name: echo
                """.formatted(port, replicas);
    }

    /**
     * Source cluster → endpoint addresses of the EndpointSlices labelled
     * {@code multicluster.kubernetes.io/service-name=<name>} in {@code cluster}'s namespace default.
     */
    private static Map<String, TreeSet<String>> importedSlices(String cluster, String name) {
        return importedSlices(cluster, "default", name);
    }

    private static Map<String, TreeSet<String>> importedSlices(String cluster, String namespace, String name) {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        mesh.site(cluster).client().discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("multicluster.kubernetes.io/service-name", name).list().getItems().forEach(s -> {
                    assertThat(s.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by",
                            "clustermesh-j.dev");
                    TreeSet<String> ips = out.computeIfAbsent(s.getMetadata().getLabels()
                            .get("multicluster.kubernetes.io/source-cluster"), k -> new TreeSet<>());
                    s.getEndpoints().forEach(e -> ips.addAll(e.getAddresses()));
                });
        return out;
    }

    /** The ServiceImport default/{@code name} in {@code cluster}, null when there is none. */
    private static Object importObject(String cluster, String name) {
        return mesh.site(cluster).client().genericKubernetesResources("multicluster.x-k8s.io/v1alpha1", "ServiceImport")
                .inNamespace("default").withName(name).get();
    }

    private static JsonNode get(String cluster, String kind, String name) {
        String out = mesh.kube.cluster(cluster).kubectl("get", kind, name, "-o", "json");
        try {
            return new ObjectMapper().readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** type → "status/reason" of the ServiceExport's conditions. */
    private static Map<String, String> conditions(String cluster, String name) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode c : get(cluster, "serviceexport", name).path("status").path("conditions")) {
            out.put(c.path("type").asText(), c.path("status").asText() + "/" + c.path("reason").asText());
            assertThat(c.path("lastTransitionTime").asText()).as("condition %s has its time", c).isNotEmpty();
        }
        return out;
    }

    /** The frontends cluster's agent programs for default/name. */
    private static TreeSet<String> frontends(String cluster, String name) {
        TreeSet<String> out = new TreeSet<>();
        try (var c = new dev.clustermesh.meshctl.agent.AgentClient(mesh.site(cluster).agentAddress(),
                Duration.ofSeconds(5))) {
            c.services(dev.clustermesh.proto.agent.v1.ListServicesRequest.newBuilder().setNamespace("default")
                    .setName(name).build()).getServicesList().forEach(s -> out.add(s.getFrontend()));
        }
        return out;
    }
}
