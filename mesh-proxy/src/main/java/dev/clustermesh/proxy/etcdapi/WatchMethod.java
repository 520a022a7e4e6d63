package dev.clustermesh.proxy.etcdapi;

import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * etcd's {@code Watch/Watch} method with responses marshalled from {@link WatchFrame}s, so events encoded once
 * are written to every watcher as bytes. Requests, the method's name and the service's proto descriptor are
 * etcd's own, so clients (etcdctl, jetcd) and server reflection see the stock service.
 */
final class WatchMethod {
    /** The Watch method, sending frames. */
    static final MethodDescriptor<WatchRequest, WatchFrame> WATCH = WatchGrpc.getWatchMethod()
            .toBuilder(WatchGrpc.getWatchMethod().getRequestMarshaller(), new FrameMarshaller()).build();

    private static final ServiceDescriptor SERVICE = ServiceDescriptor.newBuilder(WatchGrpc.SERVICE_NAME)
            .setSchemaDescriptor(WatchGrpc.getServiceDescriptor().getSchemaDescriptor()).addMethod(WATCH).build();

    private WatchMethod() {
    }

    /** The Watch service with {@code handler} serving its one method. */
    static ServerServiceDefinition bind(ServerCalls.BidiStreamingMethod<WatchRequest, WatchFrame> handler) {
        return ServerServiceDefinition.builder(SERVICE).addMethod(WATCH, ServerCalls.asyncBidiStreamingCall(handler))
                .build();
    }

    /** Writes a frame's bytes; reads a response back into a frame (only a client reads). */
    private static final class FrameMarshaller implements MethodDescriptor.Marshaller<WatchFrame> {
        @Override
        public InputStream stream(WatchFrame frame) {
            return frame.stream();
        }

        @Override
        public WatchFrame parse(InputStream in) {
            try {
                return WatchFrame.of(WatchResponse.parseFrom(in));
            } catch (IOException e) {
                throw new UncheckedIOException("reading a watch response", e);
            }
        }
    }
}
