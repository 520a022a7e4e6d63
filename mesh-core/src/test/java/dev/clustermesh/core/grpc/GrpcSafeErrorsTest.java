package dev.clustermesh.core.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class GrpcSafeErrorsTest {
    private final GrpcSafeErrors errors = new GrpcSafeErrors("mesh-test") {
    };

    @Test
    void chosenStatusesPassThrough() {
        assertThat(errors.status(Status.PERMISSION_DENIED.withDescription("etcdserver: permission denied")
                .asRuntimeException()).getDescription()).isEqualTo("etcdserver: permission denied");
        assertThat(errors.status(Status.OUT_OF_RANGE.asException()).getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    }

    @Test
    void unexpectedFailuresNameNoClass() {
        Status s = errors.status(new OutOfMemoryError("Java heap space"));
        assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(s.getDescription()).isEqualTo("mesh-test failed to answer; see its log")
                .doesNotContain("OutOfMemoryError", "java.");
        assertThat(errors.status(new IllegalStateException("boom")).getDescription()).doesNotContain("Illegal", "boom");
        assertThat(errors.transform(new IllegalStateException("boom"))).hasMessage("INTERNAL: mesh-test failed to answer; see its log");
    }
}
