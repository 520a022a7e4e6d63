package dev.clustermesh.proxy.etcdapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proxy.vertx.WriteFence;
import dev.clustermesh.testing.Eventually;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every path of one Range answer gives its bytes back exactly once: sent, cancelled early or late, failed. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RangeSendTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SIZE = 200 * 1024;

    private Vertx vertx;
    private Context context;
    private RangeBudget budget;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
        budget = new RangeBudget(1 << 20);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aReadyCallIsCompletedAndGivesItsBytesBack() {
        FakeCall call = new FakeCall(true);
        send(call, new byte[SIZE]);
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("next " + SIZE, "completed"));
        assertThat(budget.used()).isZero();
    }

    @Test
    void aCallNotReadyHoldsItsBytesUntilTheTransportTookThem() {
        FakeCall call = new FakeCall(false);
        send(call, new byte[SIZE]);
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("next " + SIZE));
        assertThat(budget.used()).as("the answer and the transport's copy").isEqualTo(RangeSend.COPIES * SIZE);
        call.becomeReady();
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("next " + SIZE, "completed"));
        assertThat(budget.used()).isZero();
        call.becomeReady();
        assertThat(call.events).as("a second on-ready changes nothing").hasSize(2);
    }

    @Test
    void aCallCancelledWhileWaitingIsNeverWrittenAndHoldsNothing() {
        budget.acquire(1 << 20, () -> { });
        FakeCall call = new FakeCall(true);
        send(call, new byte[SIZE]);
        call.cancel();
        budget.release(1 << 20);
        Eventually.await(WAIT, () -> assertThat(budget.used()).isZero());
        assertThat(call.events).isEmpty();
    }

    @Test
    void aCallCancelledAfterItsWriteGivesItsBytesBack() {
        FakeCall call = new FakeCall(false);
        send(call, new byte[SIZE]);
        Eventually.await(WAIT, () -> assertThat(budget.used()).isEqualTo(RangeSend.COPIES * SIZE));
        call.cancel();
        Eventually.await(WAIT, () -> assertThat(budget.used()).isZero());
        call.becomeReady();
        assertThat(call.events).containsExactly("next " + SIZE);
    }

    @Test
    void anAnswerThatCannotBeEncodedIsTheCallsErrorAndHoldsNothing() {
        FakeCall call = new FakeCall(true);
        RangeSend send = onContext(() -> new RangeSend(budget, call, context, Optional.empty()));
        send.send(SIZE, () -> {
            throw Status.OUT_OF_RANGE.withDescription("compacted").asRuntimeException();
        });
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("error OUT_OF_RANGE"));
        assertThat(budget.used()).isZero();
    }

    @Test
    void aWriteTheTransportRefusesGivesItsBytesBack() {
        FakeCall call = new FakeCall(true);
        call.refuseWrites = true;
        send(call, new byte[SIZE]);
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("error INTERNAL"));
        assertThat(budget.used()).isZero();
    }

    @Test
    void aFencedAnswerHoldsItsBytesUntilWrittenOutThoughTheCallSaysReady() {
        FakeCall call = new FakeCall(true);
        FakeFence fence = new FakeFence();
        send(call, new byte[SIZE], fence);
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("next " + SIZE));
        call.becomeReady();
        assertThat(budget.used()).as("on-ready is too early when a fence is there").isEqualTo(RangeSend.COPIES * SIZE);
        assertThat(call.events).containsExactly("next " + SIZE);
        fence.written();
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("next " + SIZE, "completed"));
        assertThat(budget.used()).isZero();
    }

    @Test
    void aFencedAnswerCancelledBeforeItIsWrittenOutGivesItsBytesBackOnce() {
        FakeCall call = new FakeCall(false);
        FakeFence fence = new FakeFence();
        send(call, new byte[SIZE], fence);
        Eventually.await(WAIT, () -> assertThat(budget.used()).isEqualTo(RangeSend.COPIES * SIZE));
        call.cancel();
        Eventually.await(WAIT, () -> assertThat(budget.used()).isZero());
        budget.acquire(RangeSend.COPIES * SIZE, () -> { });
        fence.written();
        onContext(() -> "the context ran what the fence queued");
        assertThat(budget.used()).as("no second release").isEqualTo(RangeSend.COPIES * SIZE);
        assertThat(call.events).containsExactly("next " + SIZE);
    }

    @Test
    void aFencedAnswerWhoseStreamWentAwayGivesItsBytesBackWithoutCompleting() {
        FakeCall call = new FakeCall(true);
        FakeFence fence = new FakeFence();
        send(call, new byte[SIZE], fence);
        Eventually.await(WAIT, () -> assertThat(budget.used()).isEqualTo(RangeSend.COPIES * SIZE));
        fence.gone();
        Eventually.await(WAIT, () -> assertThat(budget.used()).isZero());
        onContext(() -> "the context ran what the fence queued");
        assertThat(call.events).containsExactly("next " + SIZE);
    }

    @Test
    void aSmallAnswerGoesWithoutItsFence() {
        FakeCall call = new FakeCall(true);
        FakeFence fence = new FakeFence();
        send(call, new byte[(int) RangeBudget.SMALL], fence);
        Eventually.await(WAIT, () -> assertThat(call.events).containsExactly("next " + RangeBudget.SMALL,
                "completed"));
        assertThat(fence.asked).as("no empty DATA frame for a small answer").isZero();
        assertThat(budget.used()).isZero();
    }

    private void send(FakeCall call, byte[] answer) {
        RangeSend send = onContext(() -> new RangeSend(budget, call, context, Optional.empty()));
        send.send(answer.length / 2, () -> answer);
    }

    private void send(FakeCall call, byte[] answer, WriteFence fence) {
        RangeSend send = onContext(() -> new RangeSend(budget, call, context, Optional.of(fence)));
        send.send(answer.length / 2, () -> answer);
    }

    /** A fence the test opens: the transport has written everything out, or the stream went away. */
    private static final class FakeFence implements WriteFence {
        private volatile Runnable written = () -> { };
        private volatile Runnable gone = () -> { };
        volatile int asked;

        @Override
        public void afterWritten(Runnable written, Runnable gone) {
            asked++;
            this.written = written;
            this.gone = gone;
        }

        void written() {
            written.run();
        }

        void gone() {
            gone.run();
        }
    }

    private <T> T onContext(java.util.function.Supplier<T> s) {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> f.complete(s.get()));
        return f.join();
    }

    /** A gRPC call whose readiness and cancellation the test controls; handlers run as gRPC would call them. */
    private static final class FakeCall extends ServerCallStreamObserver<byte[]> {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile boolean ready;
        volatile boolean refuseWrites;
        private Runnable onReady = () -> { };
        private Runnable onCancel = () -> { };

        FakeCall(boolean ready) {
            this.ready = ready;
        }

        void becomeReady() {
            ready = true;
            onReady.run();
        }

        void cancel() {
            onCancel.run();
        }

        @Override
        public void onNext(byte[] value) {
            if (refuseWrites) {
                throw new IllegalStateException("stream reset");
            }
            events.add("next " + value.length);
        }

        @Override
        public void onError(Throwable t) {
            events.add("error " + Status.fromThrowable(t).getCode());
        }

        @Override
        public void onCompleted() {
            events.add("completed");
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable r) {
            onReady = r;
        }

        @Override
        public void setOnCancelHandler(Runnable r) {
            onCancel = r;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }
    }
}
