package dev.clustermesh.agent.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.clustermesh.proto.agent.v1.Agent;
import dev.clustermesh.proto.agent.v1.ClusterStatus;
import dev.clustermesh.proto.agent.v1.ExplainPolicyRequest;
import dev.clustermesh.proto.agent.v1.ExplainPolicyResponse;
import dev.clustermesh.proto.agent.v1.GetStatusRequest;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import dev.clustermesh.proto.agent.v1.ListPoliciesRequest;
import dev.clustermesh.proto.agent.v1.ListPoliciesResponse;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsRequest;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsResponse;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.agent.v1.ListServicesResponse;
import dev.clustermesh.proto.agent.v1.PodRef;
import dev.clustermesh.proto.agent.v1.PolicyEndpoint;
import dev.clustermesh.proto.agent.v1.PropagationStage;
import dev.clustermesh.proto.agent.v1.ListImportsRequest;
import dev.clustermesh.proto.agent.v1.Service;
import dev.clustermesh.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.grpc.ExceptionHandlerProvider;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent as deployed: its gRPC API (status, services, policies, policy endpoints, explain), health and metrics,
 * joined to a real cluster exporting pods and policies, and one broken file.
 */
@QuarkusTest
@QuarkusTestResource(value = AgentTestEnvironment.class, restrictToAnnotatedClass = true)
@Timeout(120)
class AgentApiIT {

    @Inject
    ExceptionHandlerProvider errors;

    @Test
    void anUnexpectedFailureAnswersInternalNamingNoClass() {
        assertThat(errors.transform(new IllegalStateException("boom in dev.clustermesh.Secret")))
                .hasMessage("INTERNAL: mesh-agent failed to answer; see its log");
    }

    private static final Duration WAIT = Duration.ofSeconds(45);

    @GrpcClient("agent")
    Agent agent;

    @ConfigProperty(name = "quarkus.management.test-port")
    int managementPort;

    @Test
    void statusShowsTheConnectedClusterAndTheBrokenFileWithItsReason() {
        Eventually.await(WAIT, () -> {
            GetStatusResponse s = agent.getStatus(GetStatusRequest.getDefaultInstance()).await().atMost(Duration.ofSeconds(5));
            assertThat(s.getCluster()).isEqualTo("cluster1");
            assertThat(s.getNode()).isEqualTo("node-1");
            assertThat(s.getClustersList()).extracting(ClusterStatus::getName).containsExactly("cluster1", "cluster9");
            ClusterStatus c1 = s.getClusters(0);
            assertThat(c1.getReady()).isTrue();
            assertThat(c1.getLocal()).isTrue();
            assertThat(c1.getId()).isEqualTo(1);
            assertThat(c1.getSyncedKindsList()).containsExactlyInAnyOrder("services", "nodes", "endpoints",
                    "identities", "policies", "mcs");
            assertThat(c1.getHeartbeatAgeMillis()).isBetween(0L, 60_000L);
            ClusterStatus bad = s.getClusters(1);
            assertThat(bad.getConnected()).isFalse();
            assertThat(bad.getLastFailure()).contains("cluster9", "not valid YAML");
            assertThat(s.getReady()).isTrue();
            assertThat(s.getGlobalServices()).isEqualTo(1);
        });
        // Where the cluster's changes spend their time: all four stages once a heartbeat carried its proxy's.
        Eventually.await(WAIT, () -> {
            ClusterStatus c1 = agent.getStatus(GetStatusRequest.getDefaultInstance()).await()
                    .atMost(Duration.ofSeconds(5)).getClusters(0);
            assertThat(c1.getPropagationList()).extracting(PropagationStage::getStage)
                    .containsExactly("export", "cache", "transit", "applied");
            assertThat(c1.getPropagationList()).allSatisfy(p -> {
                assertThat(p.getSamples()).isPositive();
                assertThat(p.getP50Micros()).isLessThanOrEqualTo(p.getP99Micros());
                assertThat(p.getP99Micros()).isLessThanOrEqualTo(p.getMaxMicros());
            });
            assertThat(c1.getPropagation(0).getMeasuredBy()).isEqualTo("proxy of cluster1");
            assertThat(c1.getPropagation(3).getMeasuredBy()).isEqualTo("this agent");
        });
    }

    @Test
    void serviceListShowsTheLbMapsWithClusterStateAndPreference() {
        Eventually.await(WAIT, () -> {
            ListServicesResponse r = agent.listServices(ListServicesRequest.newBuilder().setNamespace("default").build())
                    .await().atMost(Duration.ofSeconds(5));
            assertThat(r.getServicesList()).hasSize(1);
            Service s = r.getServices(0);
            assertThat(s.getFrontend()).isEqualTo("10.11.0.10:80/TCP");
            assertThat(s.getAffinity()).isEqualTo("none");
            assertThat(s.getUsable()).isEqualTo(2);
            assertThat(s.getBackendsList()).extracting(b -> b.getAddress() + " " + b.getCluster() + " " + b.getState())
                    .containsExactly("10.10.1.1:80/TCP cluster1 active", "10.10.1.2:80/TCP cluster1 active");
        });
        assertThat(agent.listServices(ListServicesRequest.newBuilder().setNamespace("other").build())
                .await().atMost(Duration.ofSeconds(5)).getServicesCount()).isZero();
    }

    @Test
    void badFiltersAreInvalidArgumentsWithAReason() {
        assertThatThrownBy(() -> agent.listServices(ListServicesRequest.newBuilder().setNamespace("Not_A_Label").build())
                .await().atMost(Duration.ofSeconds(5)))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("namespace 'Not_A_Label' is not a DNS label")
                .hasMessageNotContaining("Exception");
        assertThatThrownBy(() -> agent.listImports(ListImportsRequest.newBuilder().setName("a/b").build())
                .await().atMost(Duration.ofSeconds(5)))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("name 'a/b' is not a DNS label");
        assertThat(agent.listImports(ListImportsRequest.getDefaultInstance()).await().atMost(Duration.ofSeconds(5))
                .getImportsCount()).as("no cluster exports with a ServiceExport here").isZero();
    }

    @Test
    void policyListShowsEachPolicyWithItsStateAndWarnings() {
        Eventually.await(WAIT, () -> {
            ListPoliciesResponse r = agent.listPolicies(ListPoliciesRequest.getDefaultInstance())
                    .await().atMost(Duration.ofSeconds(5));
            assertThat(r.getCluster()).isEqualTo("cluster1");
            assertThat(r.getPoliciesList()).extracting(p -> p.getNamespace() + "/" + p.getName() + " " + p.getKind()
                    + " " + p.getState()).containsExactly("shop/allow-client NetworkPolicy applied",
                    "shop/l7 CiliumNetworkPolicy refused");
            assertThat(r.getPolicies(0).getWarningsList()).isEmpty();
            assertThat(r.getPolicies(1).getWarningsList()).isNotEmpty().allSatisfy(w -> {
                assertThat(w.getPath()).startsWith("spec.ingress[0].toPorts[0]");
                assertThat(w.getReason()).isNotBlank();
            });
            assertThat(r.getAppliedUnixMillis()).isPositive();
        });
    }

    @Test
    void endpointListShowsLocalPodsWithWhatTheyEnforce() {
        Eventually.await(WAIT, () -> {
            ListPolicyEndpointsResponse r = agent.listPolicyEndpoints(ListPolicyEndpointsRequest.newBuilder()
                    .setNamespace("shop").build()).await().atMost(Duration.ofSeconds(5));
            assertThat(r.getEndpointsList()).extracting(e -> e.getPod() + " " + e.getIp() + " in:"
                    + e.getIngressEnforced() + "/" + e.getIngressAllows() + "/" + e.getIngressDenies() + " out:"
                    + e.getEgressEnforced() + "/" + e.getEgressAllows() + "/" + e.getEgressDenies())
                    .containsExactly("client 10.10.2.2 in:false/0/0 out:false/0/0",
                            "other 10.10.2.3 in:false/0/0 out:false/0/0", "web 10.10.2.1 in:true/1/0 out:false/0/0");
            PolicyEndpoint web = r.getEndpoints(2);
            assertThat(web.getLabelsMap()).containsEntry("app", "web");
            assertThat(web.getIdentity() >>> 16).as("cluster ID of the identity").isEqualTo(1);
        });
        assertThat(agent.listPolicyEndpoints(ListPolicyEndpointsRequest.newBuilder().setNamespace("other").build())
                .await().atMost(Duration.ofSeconds(5)).getEndpointsCount()).isZero();
    }

    @Test
    void explainNamesThePolicyAndRuleThatDecided() {
        Eventually.await(WAIT, () -> {
            ExplainPolicyResponse allowed = explain("client", "web", 80, "TCP");
            assertThat(allowed.getAllowed()).isTrue();
            assertThat(allowed.getComplete()).isTrue();
            assertThat(allowed.getIngress().getPolicyName()).isEqualTo("allow-client");
            assertThat(allowed.getIngress().getPolicyKind()).isEqualTo("NetworkPolicy");
            assertThat(allowed.getIngress().getRule()).isEqualTo("ingress[0]");
            assertThat(allowed.getIngress().getReason()).isEqualTo("allowed by NetworkPolicy shop/allow-client ingress[0]");
            assertThat(allowed.getEgress().getReason()).contains("no policy isolates cluster1/shop/client for egress");
            assertThat(allowed.getSourceIp()).isEqualTo("10.10.2.2");
        });
        ExplainPolicyResponse denied = explain("other", "web", 80, "TCP");
        assertThat(denied.getAllowed()).isFalse();
        assertThat(denied.getIngress().getAllowed()).isFalse();
        assertThat(denied.getIngress().getPolicyName()).as("default deny: no rule decided").isEmpty();
        assertThat(denied.getIngress().getReason()).contains("default deny", "NetworkPolicy shop/allow-client");
        assertThat(explain("client", "web", 80, "UDP").getAllowed()).isFalse();
    }

    @Test
    void explainRefusesBadInputAndNamesUnknownPods() {
        // Before the first program the agent answers FAILED_PRECONDITION: this test may run first.
        Eventually.await(Duration.ofSeconds(60), () -> assertThat(explainFails(explainRequest("client", "nobody", 80,
                "TCP"))).satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND))
                .hasMessageContaining("pod cluster1/shop/nobody is not known to policy"));
        assertThat(explainFails(explainRequest("client", "web", 0, "TCP")))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("port 0 is not in 1-65535");
        assertThat(explainFails(explainRequest("client", "web", 80, "XYZ")))
                .hasMessageContaining("protocol 'XYZ' is not TCP, UDP or SCTP");
        assertThat(explainFails(ExplainPolicyRequest.newBuilder().setPort(80).build()))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("from needs cluster, namespace and pod").hasMessageNotContaining("Exception");
    }

    private ExplainPolicyResponse explain(String from, String to, int port, String protocol) {
        return agent.explainPolicy(explainRequest(from, to, port, protocol)).await().atMost(Duration.ofSeconds(5));
    }

    private Throwable explainFails(ExplainPolicyRequest request) {
        return catchThrowable(() -> agent.explainPolicy(request).await().atMost(Duration.ofSeconds(5)));
    }

    private static ExplainPolicyRequest explainRequest(String from, String to, int port, String protocol) {
        return ExplainPolicyRequest.newBuilder().setPort(port).setProtocol(protocol)
                .setFrom(PodRef.newBuilder().setCluster("cluster1").setNamespace("shop").setPod(from))
                .setTo(PodRef.newBuilder().setCluster("cluster1").setNamespace("shop").setPod(to)).build();
    }

    @Test
    void healthAndMetricsAreOnTheManagementPort() {
        Eventually.await(WAIT, () -> given().port(managementPort).get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'clustermesh' }.data.cluster1", equalTo("ready"))
                .body("checks.find { it.name == 'clustermesh' }.data.cluster9", containsString("not valid YAML")));
        Eventually.await(WAIT, () -> given().port(managementPort).get("/metrics").then().statusCode(200)
                .body(containsString("mesh_agent_connected_clusters 1.0"))
                .body(containsString("mesh_agent_bad_cluster_files_total"))
                .body(containsString("mesh_agent_cluster_sync_seconds_count{cluster=\"cluster1\""))
                .body(containsString("mesh_agent_lb_backends 2.0"))
                .body(containsString("mesh_agent_policies{state=\"applied\"} 1.0"))
                .body(containsString("mesh_agent_policies{state=\"refused\"} 1.0"))
                .body(containsString("mesh_agent_policy_enforced_endpoints 1.0"))
                .body(containsString("mesh_agent_policy_endpoints 3.0"))
                .body(containsString("mesh_agent_policy_cluster_endpoints{cluster=\"cluster1\"} 3.0"))
                .body(containsString("mesh_agent_policy_cluster_identities{cluster=\"cluster1\"} 3.0"))
                .body(containsString("mesh_agent_policy_apply_seconds"))
                .body(containsString("mesh_agent_propagation_stage_seconds_count{cluster=\"cluster1\",stage=\"applied\"}"))
                .body(containsString("mesh_agent_propagation_stage_seconds_count{cluster=\"cluster1\",stage=\"transit\"}")));
    }

    @Test
    void reflectionListsTheAgentService() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", AgentTestEnvironment.current.apiPort)
                .usePlaintext().build();
        try {
            CompletableFuture<List<String>> names = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(channel)
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse r) {
                            names.complete(r.getListServicesResponse().getServiceList().stream()
                                    .map(s -> s.getName()).toList());
                        }

                        @Override
                        public void onError(Throwable t) {
                            names.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            assertThat(names.get(10, TimeUnit.SECONDS)).contains("mesh.agent.v1.Agent");
            req.onCompleted();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
