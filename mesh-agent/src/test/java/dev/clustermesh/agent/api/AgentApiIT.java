package dev.clustermesh.agent.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.clustermesh.proto.agent.v1.Agent;
import dev.clustermesh.proto.agent.v1.ClusterStatus;
import dev.clustermesh.proto.agent.v1.GetStatusRequest;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.agent.v1.ListServicesResponse;
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

/** The agent as deployed: its gRPC API, health and metrics, joined to a real cluster and one broken file. */
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
                    "identities", "policies");
            assertThat(c1.getHeartbeatAgeMillis()).isBetween(0L, 60_000L);
            ClusterStatus bad = s.getClusters(1);
            assertThat(bad.getConnected()).isFalse();
            assertThat(bad.getLastFailure()).contains("cluster9", "not valid YAML");
            assertThat(s.getReady()).isTrue();
            assertThat(s.getGlobalServices()).isEqualTo(1);
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
                .body(containsString("mesh_agent_policies{state=\"applied\"} 0.0"))
                .body(containsString("mesh_agent_policy_enforced_endpoints 0.0"))
                .body(containsString("mesh_agent_policy_apply_seconds")));
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
