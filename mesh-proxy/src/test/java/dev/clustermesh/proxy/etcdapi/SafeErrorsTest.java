package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class SafeErrorsTest {

    @Test
    void chosenStatusesPassThrough() {
        assertThat(SafeErrors.status(ApiErrors.readOnly("Put")).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(SafeErrors.status(Status.OUT_OF_RANGE.asException()).getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    }

    @Test
    void unexpectedFailuresNameNoClass() {
        Status s = SafeErrors.status(new OutOfMemoryError("Java heap space"));
        assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(s.getDescription()).isEqualTo("mesh-proxy failed to answer; see its log")
                .doesNotContain("OutOfMemoryError", "java.");
        assertThat(SafeErrors.status(new IllegalStateException("boom")).getDescription()).doesNotContain("Illegal", "boom");
    }
}
