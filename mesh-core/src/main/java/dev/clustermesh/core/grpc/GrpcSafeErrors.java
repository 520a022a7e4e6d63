package dev.clustermesh.core.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import java.lang.System.Logger.Level;

/**
 * Replaces Quarkus's default gRPC error mapping, which answers an unexpected failure with
 * {@code UNKNOWN: <class name> - <message>}: statuses the service chose pass through as they are; anything
 * else is logged here once and answered as a bare INTERNAL that names no class. Each gRPC server (agent,
 * proxy) makes it a bean with its own name: {@code @Singleton final class X extends GrpcSafeErrors}.
 */
public abstract class GrpcSafeErrors implements ExceptionHandlerProvider {
    private static final System.Logger LOG = System.getLogger(GrpcSafeErrors.class.getName());

    private final String program;

    /** @param program the server's name, as the client's error description names it ({@code mesh-proxy}) */
    protected GrpcSafeErrors(String program) {
        this.program = program;
    }

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

    /** The status a client gets for {@code t}: its own if it carries one, else a bare INTERNAL (logged). */
    public Status status(Throwable t) {
        if (t instanceof StatusRuntimeException e) {
            return e.getStatus();
        }
        if (t instanceof StatusException e) {
            return e.getStatus();
        }
        LOG.log(Level.ERROR, program + ": unexpected failure answering a gRPC call", t);
        return Status.INTERNAL.withDescription(program + " failed to answer; see its log");
    }
}
