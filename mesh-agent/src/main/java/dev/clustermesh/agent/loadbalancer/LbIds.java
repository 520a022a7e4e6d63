package dev.clustermesh.agent.loadbalancer;

import java.util.HashMap;
import java.util.Map;

/**
 * ID allocations for services (by frontend) and backends (by {@link LbBackend.Key}). Immutable: a computation
 * starts a {@link Builder} from the previous allocation, keeps the IDs of what still exists and hands out new
 * ones from a counter per map (as Cilium's separate service and backend ID spaces), so an ID is never reused
 * for something else while the agent runs.
 *
 * @param services service IDs
 * @param backends backend IDs
 * @param nextService the next service ID to hand out
 * @param nextBackend the next backend ID to hand out
 */
public record LbIds(Map<LbFrontend, Integer> services, Map<LbBackend.Key, Integer> backends, int nextService,
        int nextBackend) {
    /** No allocation yet. */
    public static final LbIds EMPTY = new LbIds(Map.of(), Map.of(), 1, 1);

    public LbIds {
        services = Map.copyOf(services);
        backends = Map.copyOf(backends);
    }

    /** Allocates against the previous allocation. Not thread-safe; one per computation. */
    static final class Builder implements LbCompute.IdSource {
        private final LbIds previous;
        private final Map<LbFrontend, Integer> services = new HashMap<>();
        private final Map<LbBackend.Key, Integer> backends = new HashMap<>();
        private int nextService;
        private int nextBackend;

        Builder(LbIds previous) {
            this.previous = previous;
            this.nextService = previous.nextService();
            this.nextBackend = previous.nextBackend();
        }

        @Override
        public int service(LbFrontend f) {
            return services.computeIfAbsent(f,
                    k -> previous.services().containsKey(k) ? previous.services().get(k) : nextService++);
        }

        @Override
        public int backend(LbBackend.Key k) {
            return backends.computeIfAbsent(k,
                    x -> previous.backends().containsKey(x) ? previous.backends().get(x) : nextBackend++);
        }

        LbIds build() {
            return new LbIds(services, backends, nextService, nextBackend);
        }
    }
}
