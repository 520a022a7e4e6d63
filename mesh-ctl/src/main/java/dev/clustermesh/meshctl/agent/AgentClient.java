package dev.clustermesh.meshctl.agent;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.proto.agent.v1.AgentGrpc;
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
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A plaintext gRPC client of one agent's {@code mesh.agent.v1.Agent} API (node-local, like Cilium's). */
public final class AgentClient implements AutoCloseable {
    private final String address;
    private final ManagedChannel channel;
    private final Duration deadline;

    /**
     * @param address {@code host:port}
     * @throws MeshCtlException when the address is not {@code host:port}
     */
    public AgentClient(String address, Duration deadline) {
        this.address = address;
        this.deadline = deadline;
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = colon < 1 ? -1 : Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new MeshCtlException("--agent '" + address + "' is not host:port (e.g. 127.0.0.1:9876)");
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    }

    public String address() {
        return address;
    }

    public GetStatusResponse status() {
        return call(() -> stub().getStatus(GetStatusRequest.getDefaultInstance()));
    }

    public ListServicesResponse services(ListServicesRequest request) {
        return call(() -> stub().listServices(request));
    }

    public ListImportsResponse imports(ListImportsRequest request) {
        return call(() -> stub().listImports(request));
    }

    public ListPoliciesResponse policies() {
        return call(() -> stub().listPolicies(ListPoliciesRequest.getDefaultInstance()));
    }

    public ListPolicyEndpointsResponse policyEndpoints(ListPolicyEndpointsRequest request) {
        return call(() -> stub().listPolicyEndpoints(request));
    }

    public ExplainPolicyResponse explainPolicy(ExplainPolicyRequest request) {
        return call(() -> stub().explainPolicy(request));
    }

    private AgentGrpc.AgentBlockingStub stub() {
        return AgentGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private <T> T call(Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.INVALID_ARGUMENT || code == Status.Code.NOT_FOUND
                    || code == Status.Code.FAILED_PRECONDITION) {
                throw new MeshCtlException("the agent at " + address + " answered: " + e.getStatus().getDescription(),
                        e);
            }
            if (code == Status.Code.UNIMPLEMENTED) {
                throw new MeshCtlException("the agent at " + address + " does not serve this request; is it an "
                        + "older mesh-agent?", e);
            }
            Throwable cause = e.getCause();
            String why = cause != null && cause.getMessage() != null ? cause.getMessage()
                    : e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                            : ": " + e.getStatus().getDescription());
            throw new MeshCtlException("cannot reach the agent at " + address + " (" + why.replaceAll("\\R", " ")
                    + "); is mesh-agent running there? Pick another with --agent host:port or --context <cluster>",
                    e);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
