package dev.clustermesh.proxy.etcdapi;

import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.LeaseGrpc;
import io.quarkus.grpc.GrpcService;

/** The etcd services a read-only proxy refuses entirely. */
final class RefusedServices {
    private RefusedServices() {
    }

    /** etcd's Lease service: leases exist to write keys. */
    @GrpcService
    static final class Lease extends RefusingService {
        Lease(ApiMetrics metrics) {
            super(LeaseGrpc.getServiceDescriptor(), metrics);
        }
    }

    /** etcd's Auth service: users, roles and tokens are access control, which this proxy takes from certificates. */
    @GrpcService
    static final class Auth extends RefusingService {
        Auth(ApiMetrics metrics) {
            super(AuthGrpc.getServiceDescriptor(), metrics);
        }
    }
}
