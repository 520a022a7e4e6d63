package dev.clustermesh.agent.api;

import dev.clustermesh.core.grpc.GrpcSafeErrors;
import jakarta.inject.Singleton;

/** mesh-agent's gRPC error mapping: a failure of the agent's own never answers with a class name. */
@Singleton
final class SafeErrors extends GrpcSafeErrors {
    SafeErrors() {
        super("mesh-agent");
    }
}
