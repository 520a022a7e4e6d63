package dev.clustermesh.proxy.etcdapi;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs one unary call: answer or map the failure to a status, and count it by method and code. */
final class Calls {
    private Calls() {
    }

    static <T> void unary(ApiMetrics metrics, String method, StreamObserver<T> out, Supplier<T> answer) {
        T response;
        try {
            response = answer.get();
        } catch (RuntimeException e) {
            io.grpc.StatusRuntimeException s = ApiErrors.of(e);
            metrics.request(method, s.getStatus().getCode().name());
            out.onError(s);
            return;
        }
        metrics.request(method, "OK");
        out.onNext(response);
        out.onCompleted();
    }

    /** The caller's certificate fingerprint (for the access list's pins). */
    static dev.clustermesh.proxy.access.Fingerprint fingerprint() {
        dev.clustermesh.proxy.access.Fingerprint fp = IdentityInterceptor.FINGERPRINT.get();
        return fp == null ? dev.clustermesh.proxy.access.Fingerprint.NONE : fp;
    }

    /** The caller of the current call; the interceptor guarantees one. */
    static ClientIdentity identity() {
        ClientIdentity id = IdentityInterceptor.IDENTITY.get();
        if (id == null) {
            throw ApiErrors.denied("no client identity");
        }
        return id;
    }
}
