/**
 * The one way this project runs a background loop: a {@link dev.clustermesh.core.worker.Worker} thread that
 * watchers wake, which coalesces wake-ups, keeps a minimum interval between runs, retries a failed run after an
 * exponential {@link dev.clustermesh.core.worker.Backoff} and asks for a full sync on the run after a failure
 * (kube-proxy's {@code BoundedFrequencyRunner} and {@code needFullSync}; Cilium's {@code pkg/backoff}).
 *
 * <p>Promises: a wake-up is never lost (a wake during a run causes one more run); runs never overlap; a closed
 * worker runs nothing more and its close returns only once the thread has stopped (or a bounded wait passed).
 */
package dev.clustermesh.core.worker;
