package dev.clustermesh.proxy.etcdapi;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * A whole etcd service whose every method is a write in disguise (leases, users, roles): each call answers
 * {@code PERMISSION_DENIED} saying the proxy is read-only. Built from the service's descriptor, so no method
 * is forgotten and reflection still lists the service.
 */
abstract class RefusingService implements BindableService {
    private final ServiceDescriptor descriptor;
    private final ApiMetrics metrics;

    RefusingService(ServiceDescriptor descriptor, ApiMetrics metrics) {
        this.descriptor = descriptor;
        this.metrics = metrics;
    }

    @Override
    public ServerServiceDefinition bindService() {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor);
        for (MethodDescriptor<?, ?> m : descriptor.getMethods()) {
            add(b, m);
        }
        return b.build();
    }

    private <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> m) {
        String name = m.getBareMethodName();
        if (m.getType() == MethodDescriptor.MethodType.UNARY) {
            b.addMethod(m, ServerCalls.asyncUnaryCall((Q req, StreamObserver<R> out) -> refuse(name, out)));
        } else {
            b.addMethod(m, ServerCalls.asyncBidiStreamingCall((StreamObserver<R> out) -> {
                refuse(name, out);
                return new Ignore<Q>();
            }));
        }
    }

    private void refuse(String method, StreamObserver<?> out) {
        metrics.request(method, "PERMISSION_DENIED");
        out.onError(ApiErrors.readOnly(method));
    }

    /** Swallows whatever a refused stream still sends. */
    private static final class Ignore<Q> implements StreamObserver<Q> {
        @Override
        public void onNext(Q value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
