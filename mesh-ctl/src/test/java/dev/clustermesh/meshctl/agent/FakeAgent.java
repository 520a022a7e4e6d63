package dev.clustermesh.meshctl.agent;

import dev.clustermesh.proto.agent.v1.AgentGrpc;
import dev.clustermesh.proto.agent.v1.ExplainPolicyRequest;
import dev.clustermesh.proto.agent.v1.ExplainPolicyResponse;
import dev.clustermesh.proto.agent.v1.ListPoliciesRequest;
import dev.clustermesh.proto.agent.v1.ListPoliciesResponse;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsRequest;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsResponse;
import dev.clustermesh.proto.agent.v1.Policy;
import dev.clustermesh.proto.agent.v1.PolicyDecision;
import dev.clustermesh.proto.agent.v1.PolicyEndpoint;
import dev.clustermesh.proto.agent.v1.PolicyWarning;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An agent API on 127.0.0.1 answering with fixed policy state (what AgentApiIT checks a real agent answers), so
 * meshctl's rendering can be checked without an agent: shop/web is isolated for ingress by allow-client, which lets
 * shop/client in on 80/TCP; cluster2's pods are remote.
 */
final class FakeAgent extends AgentGrpc.AgentImplBase implements AutoCloseable {
    private final Server server;
    /** The last explain request, as meshctl sent it. */
    final AtomicReference<ExplainPolicyRequest> lastExplain = new AtomicReference<>();

    FakeAgent() {
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void listPolicies(ListPoliciesRequest request, StreamObserver<ListPoliciesResponse> out) {
        out.onNext(ListPoliciesResponse.newBuilder().setCluster("cluster1").setAppliedUnixMillis(1)
                .addPolicies(Policy.newBuilder().setNamespace("shop").setName("allow-client").setKind("NetworkPolicy")
                        .setState("applied"))
                .addPolicies(Policy.newBuilder().setNamespace("shop").setName("l7").setKind("CiliumNetworkPolicy")
                        .setState("refused")
                        .addWarnings(PolicyWarning.newBuilder().setPath("spec.ingress[0].toPorts[0].rules")
                                .setReason("L7 rules are not supported"))
                        .addWarnings(PolicyWarning.newBuilder().setPath("spec.ingress[0].toPorts[0].ports[0].port")
                                .setReason("'http' is not a port")))
                .addProblems("policy cluster1/networkpolicy/shop/broken: not a JSON object; left out").build());
        out.onCompleted();
    }

    @Override
    public void listPolicyEndpoints(ListPolicyEndpointsRequest request,
            StreamObserver<ListPolicyEndpointsResponse> out) {
        out.onNext(ListPolicyEndpointsResponse.newBuilder()
                .addEndpoints(PolicyEndpoint.newBuilder().setNamespace("shop").setPod("client").setIp("10.10.2.2")
                        .setIdentity(65793).putLabels("app", "client"))
                .addEndpoints(PolicyEndpoint.newBuilder().setNamespace("shop").setPod("web").setIp("10.10.2.1")
                        .setIdentity(65792).putLabels("app", "web").putLabels("tier", "front")
                        .setIngressEnforced(true).setIngressAllows(1)).build());
        out.onCompleted();
    }

    @Override
    public void explainPolicy(ExplainPolicyRequest request, StreamObserver<ExplainPolicyResponse> out) {
        lastExplain.set(request);
        String from = request.getFrom().getPod();
        String to = request.getTo().getCluster() + "/" + request.getTo().getPod();
        PolicyDecision noEgressPolicy = PolicyDecision.newBuilder().setCluster("cluster1").setKnown(true)
                .setAllowed(true).setReason("no policy isolates cluster1/shop/" + from + " for egress: allowed").build();
        ExplainPolicyResponse.Builder r = ExplainPolicyResponse.newBuilder().setSourceIp("10.10.2.2")
                .setDestinationIp("10.10.2.1").setEgress(noEgressPolicy);
        switch (to) {
            case "cluster1/web" -> r.setComplete(true).setAllowed(from.equals("client")).setIngress(from.equals("client")
                    ? PolicyDecision.newBuilder().setCluster("cluster1").setKnown(true).setAllowed(true)
                            .setPolicyKind("NetworkPolicy").setPolicyNamespace("shop").setPolicyName("allow-client")
                            .setRule("ingress[0]").setReason("allowed by NetworkPolicy shop/allow-client ingress[0]")
                    : PolicyDecision.newBuilder().setCluster("cluster1").setKnown(true).setReason("default deny: "
                            + "cluster1/shop/web is selected for ingress by [NetworkPolicy shop/allow-client] and no "
                            + "rule allows cluster1/shop/" + from + " on 80/TCP"));
            case "cluster2/web" -> r.setAllowed(true).setDestinationIp("10.20.2.1").setIngress(PolicyDecision
                    .newBuilder().setCluster("cluster2").setReason("ingress at cluster2/shop/web is decided by "
                            + "cluster2's own policies, which are not known to cluster1's agent (ask an agent of "
                            + "cluster2)"));
            default -> {
                out.onError(Status.NOT_FOUND.withDescription("pod " + to.replace("/", "/shop/")
                        + " is not known to policy: cluster cluster1 exports no endpoint for it").asRuntimeException());
                return;
            }
        }
        out.onNext(r.build());
        out.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
