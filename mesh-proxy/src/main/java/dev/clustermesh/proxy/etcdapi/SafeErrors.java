package dev.clustermesh.proxy.etcdapi;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Replaces Quarkus's default gRPC error mapping, which answers an unexpected failure with
 * {@code UNKNOWN: <class name> - <message>}: statuses this service chose pass through as they are; anything
 * else is logged here once and answered as a bare INTERNAL that names no class.
 */
@ApplicationScoped
final class SafeErrors implements ExceptionHandlerProvider {
    private static final Logger LOG = Logger.getLogger(SafeErrors.class);

    @Override
    public <Q, R> ExceptionHandler<Q, R> createHandler(ServerCall.Listener<Q> listener, ServerCall<Q, R> call,
            Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable t, ServerCall<Q, R> serverCall, Metadata trailers) {
                serverCall.close(status(t), trailers == null ? new Metadata() : trailers);
            }
        };
    }

    @Override
    public Throwable transform(Throwable t) {
        return status(t).asException();
    }

    static Status status(Throwable t) {
        if (t instanceof StatusRuntimeException e) {
            return e.getStatus();
        }
        if (t instanceof StatusException e) {
            return e.getStatus();
        }
        LOG.errorf(t, "unexpected failure answering a gRPC call");
        return Status.INTERNAL.withDescription("mesh-proxy failed to answer; see its log");
    }
}
