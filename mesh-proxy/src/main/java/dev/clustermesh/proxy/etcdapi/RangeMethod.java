package dev.clustermesh.proxy.etcdapi;

import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * etcd's {@code KV/Range} answering with an already encoded {@code RangeResponse}, so one encoding of a list
 * can serve every agent that asks for it at the same revision ({@link RangeBytes}). Every other KV method,
 * the names and the proto descriptor stay etcd's own, for clients and server reflection alike.
 */
final class RangeMethod {
    /** Range, sending encoded responses. */
    static final MethodDescriptor<RangeRequest, byte[]> RANGE = KVGrpc.getRangeMethod()
            .toBuilder(KVGrpc.getRangeMethod().getRequestMarshaller(), new BytesMarshaller()).build();

    private static final ServiceDescriptor SERVICE = service();

    private RangeMethod() {
    }

    /** {@code kv} (the generated binding) with Range served by {@code range} instead. */
    static ServerServiceDefinition bind(ServerServiceDefinition kv,
            ServerCalls.UnaryMethod<RangeRequest, byte[]> range) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(SERVICE);
        for (ServerMethodDefinition<?, ?> m : kv.getMethods()) {
            if (!m.getMethodDescriptor().getFullMethodName().equals(RANGE.getFullMethodName())) {
                b.addMethod(m);
            }
        }
        return b.addMethod(RANGE, ServerCalls.asyncUnaryCall(range)).build();
    }

    private static ServiceDescriptor service() {
        ServiceDescriptor kv = KVGrpc.getServiceDescriptor();
        ServiceDescriptor.Builder b = ServiceDescriptor.newBuilder(kv.getName()).setSchemaDescriptor(kv.getSchemaDescriptor());
        for (MethodDescriptor<?, ?> m : kv.getMethods()) {
            b.addMethod(m.getFullMethodName().equals(KVGrpc.getRangeMethod().getFullMethodName()) ? RANGE : m);
        }
        return b.build();
    }

    /** Encoded messages pass through as they are. */
    static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new BytesStream(value);
        }

        @Override
        public byte[] parse(InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("reading an encoded message", e);
            }
        }
    }

    /** gRPC transports (Vert.x's bridge included) drain the stream into their buffer in one write. */
    static final class BytesStream extends ByteArrayInputStream implements Drainable, KnownLength {
        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
