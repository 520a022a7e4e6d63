package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.core.grpc.GrpcSafeErrors;
import jakarta.inject.Singleton;

/** mesh-proxy's gRPC error mapping: a failure of the proxy's own never answers with a class name. */
@Singleton
final class SafeErrors extends GrpcSafeErrors {
    SafeErrors() {
        super("mesh-proxy");
    }
}
