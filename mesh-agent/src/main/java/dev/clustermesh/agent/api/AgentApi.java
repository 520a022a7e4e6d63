package dev.clustermesh.agent.api;

import dev.clustermesh.agent.mesh.AgentCore;
import dev.clustermesh.proto.agent.v1.Agent;
import dev.clustermesh.proto.agent.v1.GetStatusRequest;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import dev.clustermesh.proto.agent.v1.ListServicesRequest;
import dev.clustermesh.proto.agent.v1.ListServicesResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.regex.Pattern;

/** The agent's gRPC API: answers from the applied LB maps and the cluster statuses, never blocking. */
@GrpcService
final class AgentApi implements Agent {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
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
        for (String[] f : new String[][] {{"namespace", request.getNamespace()}, {"name", request.getName()}}) {
            if (!f[1].isEmpty() && (f[1].length() > 63 || !LABEL.matcher(f[1]).matches())) {
                return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                        .withDescription(f[0] + " '" + f[1] + "' is not a DNS label").asRuntimeException());
            }
        }
        return Uni.createFrom().item(() -> ApiViews.services(core.applied(), request));
    }
}
