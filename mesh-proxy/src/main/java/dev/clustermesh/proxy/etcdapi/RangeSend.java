package dev.clustermesh.proxy.etcdapi;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Context;

/**
 * One Range answer sent within the {@link RangeBudget}: written when its bytes fit, completed and its bytes given
 * back once the transport has taken them (the call is ready again), or when the client cancels. Set up during
 * the call's first invocation (gRPC accepts its on-ready and on-cancel handlers only then); every step runs on
 * the call's own context. Should the on-ready signal not come (a transport that never sends it for a unary
 * call), the call is completed and its bytes given back after {@link #READY_WAIT_MILLIS} anyway: a bound that
 * holds a little longer beats a list that never ends.
 */
final class RangeSend {
    static final long READY_WAIT_MILLIS = 10_000;

    private final RangeBudget budget;
    private final StreamObserver<byte[]> out;
    private final ServerCallStreamObserver<byte[]> call;
    private final Context context;
    private long held = -1;
    private boolean written;
    private boolean ended;

    /** @param context the call's Vert.x context; null outside Vert.x (every step then runs on the calling thread) */
    RangeSend(RangeBudget budget, StreamObserver<byte[]> out, Context context) {
        this.budget = budget;
        this.out = out;
        this.context = context;
        this.call = out instanceof ServerCallStreamObserver<byte[]> c ? c : null;
        if (call != null) {
            call.setOnReadyHandler(this::onReady);
            call.setOnCancelHandler(this::onCancel);
        }
    }

    /** Sends {@code bytes} once they fit in the budget. */
    void send(byte[] bytes) {
        budget.acquire(bytes.length, () -> run(() -> write(bytes)));
    }

    private void write(byte[] bytes) {
        held = bytes.length;
        if (ended) {
            end();
            return;
        }
        out.onNext(bytes);
        written = true;
        if (call == null || call.isReady()) {
            complete();
        } else if (context != null) {
            context.owner().setTimer(READY_WAIT_MILLIS, id -> run(this::onReady));
        }
    }

    private void onReady() {
        if (written && !ended) {
            complete();
        }
    }

    private void onCancel() {
        run(() -> {
            if (!ended) {
                end();
            }
        });
    }

    private void run(Runnable step) {
        if (context == null) {
            step.run();
        } else {
            context.runOnContext(v -> step.run());
        }
    }

    private void complete() {
        end();
        out.onCompleted();
    }

    private void end() {
        ended = true;
        if (held >= 0) {
            budget.release(held);
            held = -1;
        }
    }
}
