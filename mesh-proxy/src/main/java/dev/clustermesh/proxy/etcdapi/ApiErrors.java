package dev.clustermesh.proxy.etcdapi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The errors the API answers with; descriptions are for people and never name a Java class. */
final class ApiErrors {
    private ApiErrors() {
    }

    static StatusRuntimeException readOnly(String operation) {
        return Status.PERMISSION_DENIED.withDescription("mesh-proxy is read-only: " + operation
                + " is not allowed; write to the cluster's own etcd through its exporter").asRuntimeException();
    }

    static StatusRuntimeException denied(String why) {
        return Status.PERMISSION_DENIED.withDescription("etcdserver: permission denied: " + why).asRuntimeException();
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
