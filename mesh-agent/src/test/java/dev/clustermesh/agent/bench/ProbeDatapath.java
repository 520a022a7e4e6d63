package dev.clustermesh.agent.bench;

import dev.clustermesh.agent.datapath.Datapath;
import dev.clustermesh.agent.datapath.DatapathState;
import dev.clustermesh.agent.loadbalancer.LbFrontend;
import dev.clustermesh.agent.loadbalancer.LbService;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** A datapath that notes when an awaited change reaches it, as the kernel would receive it. */
final class ProbeDatapath implements Datapath {
    private record Probe(LbFrontend frontend, Predicate<LbService> done, CompletableFuture<Long> at) {
    }

    private volatile Probe probe;
    private volatile int services;
    private volatile int backends;

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public void apply(DatapathState desired, boolean fullSync) {
        services = desired.lb().services().size();
        backends = desired.lb().backends().size();
        Probe p = probe;
        if (p != null) {
            LbService s = desired.lb().services().get(p.frontend());
            if (s != null && p.done().test(s)) {
                p.at().complete(System.nanoTime());
            }
        }
    }

    /** Services and backends in the last applied state. */
    int[] sizes() {
        return new int[] {services, backends};
    }

    /** Completes with the {@link System#nanoTime()} of the first apply in which {@code frontend} satisfies {@code done}. */
    CompletableFuture<Long> await(LbFrontend frontend, Predicate<LbService> done) {
        Probe p = new Probe(frontend, done, new CompletableFuture<>());
        probe = p;
        return p.at();
    }
}
