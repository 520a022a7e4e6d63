package dev.clustermesh.proxy.etcdapi;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The errors the API answers with; descriptions are etcd's own where clients match on them, and never name a
 * Java class.
 *
 * <p>Why PERMISSION_DENIED carries exactly etcd's text: Go clients ({@code clientv3}) map an error to
 * {@code rpctypes.ErrPermissionDenied} only when its description equals it. The reason (read-only, which
 * prefix an identity may read) goes in the {@value #REASON_KEY} trailer instead.
 */
final class ApiErrors {
    /** etcd's description of PERMISSION_DENIED ({@code rpctypes.ErrGRPCPermissionDenied}). */
    static final String PERMISSION_DENIED = "etcdserver: permission denied";
    /** Trailer with a person's explanation of a refusal. */
    static final String REASON_KEY = "mesh-proxy-reason";
    static final Metadata.Key<String> REASON = Metadata.Key.of(REASON_KEY, Metadata.ASCII_STRING_MARSHALLER);

    private ApiErrors() {
    }

    static StatusRuntimeException readOnly(String operation) {
        return denied("mesh-proxy is read-only: " + operation
                + " is not allowed; write to the cluster's own etcd through its exporter");
    }

    static StatusRuntimeException denied(String why) {
        Metadata trailers = new Metadata();
        trailers.put(REASON, ascii(why));
        return Status.PERMISSION_DENIED.withDescription(PERMISSION_DENIED).asRuntimeException(trailers);
    }

    /** etcd's answer to a request without a key ({@code rpctypes.ErrGRPCEmptyKey}). */
    static StatusRuntimeException emptyKey() {
        return Status.INVALID_ARGUMENT.withDescription("etcdserver: key is not provided").asRuntimeException();
    }

    private static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.chars().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return b.toString();
    }

    /** etcd's own text, so jetcd and etcdctl recognise the condition. */
    static StatusRuntimeException compacted() {
        return Status.OUT_OF_RANGE.withDescription("etcdserver: mvcc: required revision has been compacted")
                .asRuntimeException();
    }

    static StatusRuntimeException futureRevision() {
        return Status.OUT_OF_RANGE.withDescription("etcdserver: mvcc: required revision is a future revision")
                .asRuntimeException();
    }

    static StatusRuntimeException unavailable(String why) {
        return Status.UNAVAILABLE.withDescription(why).asRuntimeException();
    }

    static StatusRuntimeException notReady() {
        return Status.UNAVAILABLE.withDescription("mesh-proxy has not yet listed its etcd; retry shortly")
                .asRuntimeException();
    }

    static StatusRuntimeException invalid(String why) {
        return Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
    }

    /** The status to answer for any failure: ours as they are, anything unexpected as a bare INTERNAL. */
    static StatusRuntimeException of(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        return Status.INTERNAL.withDescription("mesh-proxy failed to answer; see its log").asRuntimeException();
    }
}
