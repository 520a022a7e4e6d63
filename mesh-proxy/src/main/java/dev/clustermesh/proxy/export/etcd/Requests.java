package dev.clustermesh.proxy.export.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for jetcd futures on the exporter's own threads (never an event loop), with a deadline. */
final class Requests {

    private Requests() {
    }

    /**
     * The future's value.
     *
     * @throws StoreException naming {@code what} on failure, timeout or interrupt (the interrupt flag is kept)
     */
    static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new StoreException(what, e);
        } catch (ExecutionException e) {
            throw new StoreException(what, e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreException(what, new TimeoutException("no answer within " + timeout));
        } catch (RuntimeException e) {
            throw new StoreException(what, e);
        }
    }
}
