package dev.clustermesh.proxy.etcdapi;

import dev.clustermesh.proxy.vertx.WriteFence;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Context;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One Range answer sent within the {@link RangeBudget}: encoded and written once its estimated size fits, completed
 * and its bytes given back once the transport has written them to the socket (its {@link WriteFence}), when the
 * client cancels, or when encoding or writing fails. Without a fence (the hook could not attach) the call's
 * on-ready stands in for it; that comes too early (Vert.x reports ready while megabytes of the answer still wait
 * in HTTP/2 flow control), which let 150 lists of 3 MB run a proxy of 128 MiB out of memory. Made during the
 * call's first invocation (gRPC accepts its on-ready and on-cancel handlers only then); every step runs on the
 * call's own Vert.x context, one at a time, so the fields need no lock. Should neither signal come, the call is
 * completed and its bytes given back after {@link #WRITE_WAIT_MILLIS} anyway (a client that does not read for
 * that long): a bound that holds a little longer beats a list that never ends.
 */
final class RangeSend {
    static final long WRITE_WAIT_MILLIS = 30_000;
    /** An answer weighs twice its size while it is sent: its encoding, and the transport's copy of it. */
    static final int COPIES = 2;

    private final RangeBudget budget;
    private final StreamObserver<byte[]> out;
    private final ServerCallStreamObserver<byte[]> call;
    private final Context context;
    /** Null when the hook could not attach: then on-ready stands in. */
    private final WriteFence fence;
    /** Bytes taken from the budget and not yet given back; -1 when none. */
    private long held = -1;
    private boolean written;
    private boolean ended;
    private long timer = -1;
    /** Whether this answer waits for its fence (large, hook attached) rather than for on-ready. */
    private boolean fenced;

    RangeSend(RangeBudget budget, StreamObserver<byte[]> out, Context context, Optional<WriteFence> fence) {
        this.budget = budget;
        this.out = out;
        this.context = context;
        this.fence = fence.orElse(null);
        this.call = out instanceof ServerCallStreamObserver<byte[]> c ? c : null;
        if (call != null) {
            call.setOnReadyHandler(() -> run(this::onReady));
            call.setOnCancelHandler(() -> run(this::onCancel));
        }
    }

    /**
     * Encodes and sends the answer once {@code estimate} bytes (its estimated weight, {@link #COPIES} times its
     * size) fit in the budget; the holding is then corrected to the real weight.
     *
     * @param encode the encoded answer; a {@link StatusRuntimeException} it throws is the call's error
     */
    void send(long estimate, Supplier<byte[]> encode) {
        budget.acquire(estimate, () -> run(() -> write(estimate, encode)));
    }

    private void write(long estimate, Supplier<byte[]> encode) {
        held = estimate;
        if (ended) {
            end();
            return;
        }
        try {
            byte[] bytes = encode.get();
            long weight = (long) COPIES * bytes.length;
            budget.adjust(weight - estimate);
            held = weight;
            out.onNext(bytes);
        } catch (StatusRuntimeException e) {
            end();
            out.onError(e);
            return;
        } catch (RuntimeException e) {
            // The transport refused the write: the bytes go back first, then the client is told.
            end();
            failQuietly(ApiErrors.of(e));
            return;
        } catch (Error e) {
            // Memory ran out encoding or writing it: the bytes go back whatever happens next.
            end();
            failQuietly(ApiErrors.of(new IllegalStateException(e.toString())));
            throw e;
        }
        written = true;
        // Small answers go without a fence, as before it: they cannot hurt the heap, and an empty DATA frame per
        // answer would be many of them on a busy connection (some HTTP/2 clients refuse runs of empty frames).
        if (fence != null && held > COPIES * RangeBudget.SMALL) {
            fenced = true;
            timer = context.owner().setTimer(WRITE_WAIT_MILLIS, id -> run(this::onWritten));
            fence.afterWritten(() -> run(this::onWritten), () -> run(this::onCancel));
        } else if (call == null || call.isReady()) {
            complete();
        } else {
            timer = context.owner().setTimer(WRITE_WAIT_MILLIS, id -> run(this::onWritten));
        }
    }

    private void failQuietly(StatusRuntimeException e) {
        try {
            out.onError(e);
        } catch (RuntimeException ignored) {
            // The stream is gone already.
        }
    }

    private void onReady() {
        if (!fenced) {
            onWritten();
        }
    }

    private void onWritten() {
        if (written && !ended) {
            complete();
        }
    }

    private void onCancel() {
        if (!ended) {
            end();
        }
    }

    private void complete() {
        end();
        out.onCompleted();
    }

    private void end() {
        ended = true;
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
            timer = -1;
        }
        if (held >= 0) {
            long h = held;
            held = -1;
            budget.release(h);
        }
    }

    private void run(Runnable step) {
        context.runOnContext(v -> step.run());
    }
}
