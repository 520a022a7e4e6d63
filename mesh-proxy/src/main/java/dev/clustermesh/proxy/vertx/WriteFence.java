package dev.clustermesh.proxy.vertx;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Tells when everything a gRPC call has written so far has left the proxy for its client's socket.
 *
 * <p>Why: gRPC's on-ready says only that the HTTP/2 stream may take more; Vert.x reports it while an answer of
 * megabytes still sits in the connection's flow-control queue (the client's window is large, the socket slow),
 * so memory given back on on-ready is not free yet. A zero-length DATA frame written behind the answer on the
 * same stream is let out only after every byte before it; its write completes once it has gone to the socket.
 * Zero-length DATA frames are valid HTTP/2 and carry no gRPC bytes. Reached through the HTTP response that
 * {@link ConnectionWatch} keeps in the call's context.
 */
public interface WriteFence {

    /**
     * Runs {@code written} once everything written on the call before this has been written out, or {@code gone}
     * should the stream be gone first (reset, closed: nothing of it is queued any more); exactly one of them runs,
     * once.
     */
    void afterWritten(Runnable written, Runnable gone);

    /** The fence of an HTTP/2 response. */
    static WriteFence of(HttpServerResponse response) {
        return (written, gone) -> afterWritten(response, written, gone);
    }

    private static void afterWritten(HttpServerResponse response, Runnable written, Runnable gone) {
        try {
            response.write(Buffer.buffer()).onComplete(ar -> (ar.succeeded() ? written : gone).run());
        } catch (RuntimeException e) {
            // The response ended or its stream was reset: nothing of it is still queued.
            gone.run();
        }
    }
}
