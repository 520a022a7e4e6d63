package dev.clustermesh.agent.api;

import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.agent.policy.PolicySnapshot;
import dev.clustermesh.core.policy.Protocol;
import dev.clustermesh.proto.agent.v1.Agent;
import dev.clustermesh.proto.agent.v1.ExplainPolicyRequest;
import dev.clustermesh.proto.agent.v1.ExplainPolicyResponse;
import dev.clustermesh.proto.agent.v1.GetStatusRequest;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import dev.clustermesh.proto.agent.v1.ListImportsRequest;
import dev.clustermesh.proto.agent.v1.ListImportsResponse;
import dev.clustermesh.proto.agent.v1.ListPoliciesRequest;
import dev.clustermesh.proto.agent.v1.ListPoliciesResponse;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsRequest;
import dev.clustermesh.proto.agent.v1.ListPolicyEndpointsResponse;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.agent.v1.ListServicesResponse;
import dev.clustermesh.proto.agent.v1.PodRef;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The agent's gRPC API: answers from the applied LB maps, the cluster statuses and the last policy program, never
 * blocking the event loop (policy endpoints and explanations copy the mesh's endpoints under the policy book's
 * lock, O(mesh pods): that runs on a worker thread).
 */
@GrpcService
final class AgentApi implements Agent {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private final AgentCore core;

    AgentApi(AgentCore core) {
        this.core = core;
    }

    @Override
    public Uni<GetStatusResponse> getStatus(GetStatusRequest request) {
        return Uni.createFrom().item(() -> ApiViews.status(core));
    }

    @Override
    public Uni<ListServicesResponse> listServices(ListServicesRequest request) {
        Optional<String> bad = badLabel("namespace", request.getNamespace())
                .or(() -> badLabel("name", request.getName()));
        if (bad.isPresent()) {
            return invalid(bad.get());
        }
        return Uni.createFrom().item(() -> ApiViews.services(core.applied(), request));
    }

    @Override
    public Uni<ListImportsResponse> listImports(ListImportsRequest request) {
        Optional<String> bad = badLabel("namespace", request.getNamespace())
                .or(() -> badLabel("name", request.getName()));
        if (bad.isPresent()) {
            return invalid(bad.get());
        }
        return Uni.createFrom().item(() -> ApiViews.imports(core.view().imports().values(), request));
    }

    @Override
    public Uni<ListPoliciesResponse> listPolicies(ListPoliciesRequest request) {
        return Uni.createFrom().item(() -> PolicyViews.policies(core.settings().cluster().name(),
                core.policy().state()));
    }

    @Override
    public Uni<ListPolicyEndpointsResponse> listPolicyEndpoints(ListPolicyEndpointsRequest request) {
        Optional<String> bad = badLabel("namespace", request.getNamespace());
        if (bad.isPresent()) {
            return invalid(bad.get());
        }
        return Uni.createFrom().item(() -> PolicyViews.endpoints(core.policy().state(), core.policy().snapshot(),
                request.getNamespace())).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    public Uni<ExplainPolicyResponse> explainPolicy(ExplainPolicyRequest request) {
        Optional<String> bad = badPod("from", request.hasFrom(), request.getFrom())
                .or(() -> badPod("to", request.hasTo(), request.getTo()));
        if (bad.isPresent()) {
            return invalid(bad.get());
        }
        if (request.getPort() < 1 || request.getPort() > 65535) {
            return invalid("port " + Integer.toUnsignedString(request.getPort()) + " is not in 1-65535");
        }
        String name = request.getProtocol().isEmpty() ? "TCP" : request.getProtocol().toUpperCase(Locale.ROOT);
        Optional<Protocol> protocol = Protocol.parse(name);
        if (protocol.isEmpty()) {
            return invalid("protocol '" + request.getProtocol() + "' is not TCP, UDP or SCTP");
        }
        if (!core.policy().programmed()) {
            return Uni.createFrom().failure(Status.FAILED_PRECONDITION.withDescription("the agent has not compiled "
                    + "a policy program yet (it waits for every cluster to sync); try again shortly")
                    .asRuntimeException());
        }
        PodRef from = request.getFrom();
        PodRef to = request.getTo();
        return Uni.createFrom().item(() -> PolicyViews.explanation(core.policy().snapshot().explain(from.getCluster(),
                from.getNamespace(), from.getPod(), to.getCluster(), to.getNamespace(), to.getPod(),
                request.getPort(), protocol.get())))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(PolicySnapshot.UnknownPodException.class)
                .transform(e -> Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException());
    }

    private static Optional<String> badLabel(String field, String value) {
        if (!value.isEmpty() && (value.length() > 63 || !LABEL.matcher(value).matches())) {
            return Optional.of(field + " '" + value + "' is not a DNS label");
        }
        return Optional.empty();
    }

    private static Optional<String> badPod(String field, boolean present, PodRef pod) {
        if (!present || pod.getCluster().isEmpty() || pod.getNamespace().isEmpty() || pod.getPod().isEmpty()) {
            return Optional.of(field + " needs cluster, namespace and pod (got '" + pod.getCluster() + "/"
                    + pod.getNamespace() + "/" + pod.getPod() + "')");
        }
        if (pod.getPod().length() > 253 || !SUBDOMAIN.matcher(pod.getPod()).matches()) {
            return Optional.of(field + " pod '" + pod.getPod() + "' is not a DNS subdomain");
        }
        return badLabel(field + " cluster", pod.getCluster()).or(() -> badLabel(field + " namespace",
                pod.getNamespace()));
    }

    private static <T> Uni<T> invalid(String description) {
        return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException());
    }
}
