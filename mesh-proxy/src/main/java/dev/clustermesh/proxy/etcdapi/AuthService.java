package dev.clustermesh.proxy.etcdapi;

import io.etcd.jetcd.api.AuthGrpc;
import io.quarkus.grpc.GrpcService;

/** etcd's Auth service: users, roles and tokens are access control, which this proxy takes from certificates. */
@GrpcService
final class AuthService extends RefusingService {
    AuthService(ApiMetrics metrics) {
        super(AuthGrpc.getServiceDescriptor(), metrics);
    }
}
