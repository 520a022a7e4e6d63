package dev.clustermesh.agent.bench;

import dev.clustermesh.agent.policy.PolicyCounter;
import dev.clustermesh.agent.policy.PolicyDatapath;
import dev.clustermesh.core.policy.PolicyProgram;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's policy datapath with a stopwatch: a benchmark asks to be told when an address is in (or out of) the
 * program a transaction applied, and gets the {@link System#nanoTime()} at which that transaction returned, the way
 * {@code ProbeDatapath} reports LB maps. Nothing polls the agent, so the measuring thread neither delays the change
 * (two cores) nor adds its polling interval to the figure.
 */
final class TimedPolicyDatapath implements PolicyDatapath {
    private final PolicyDatapath inner;
    private final Map<InetAddress, Waiter> waiting = new ConcurrentHashMap<>();

    private record Waiter(boolean present, CompletableFuture<Long> at) {
    }

    TimedPolicyDatapath(PolicyDatapath inner) {
        this.inner = inner;
    }

    /** Completes with the time of the first apply, after this call, whose program has {@code ip} as asked. */
    CompletableFuture<Long> await(InetAddress ip, boolean present) {
        CompletableFuture<Long> at = new CompletableFuture<>();
        waiting.put(ip, new Waiter(present, at));
        return at;
    }

    @Override
    public void apply(PolicyProgram program, boolean fullSync) {
        inner.apply(program, fullSync);
        settle(program, System.nanoTime());
    }

    @Override
    public void applyAddresses(PolicyProgram program, Map<InetAddress, Integer> removed,
            Map<InetAddress, Integer> added) {
        inner.applyAddresses(program, removed, added);
        settle(program, System.nanoTime());
    }

    private void settle(PolicyProgram program, long at) {
        waiting.forEach((ip, w) -> {
            if (program.ipIdentities().containsKey(ip) == w.present() && waiting.remove(ip, w)) {
                w.at().complete(at);
            }
        });
    }

    @Override
    public void idle() {
        inner.idle();
    }

    @Override
    public int cutDenied(PolicyProgram program) {
        return inner.cutDenied(program);
    }

    @Override
    public List<PolicyCounter> counters() {
        return inner.counters();
    }

    @Override
    public void close() {
        inner.close();
    }
}
