package dev.clustermesh.agent.chaos;

import dev.clustermesh.agent.chaos.ChaosCampaign.Fault;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a campaign run found: faults by kind, changes made, violations by invariant, convergence times. */
record ChaosReport(Map<Fault, Integer> faults, int changes, Map<String, Integer> violations, List<Long> convergeMillis,
        List<String> examples) {
    int violationCount() {
        return violations.values().stream().mapToInt(Integer::intValue).sum();
    }

    long convergeMillis(double q) {
        if (convergeMillis.isEmpty()) {
            return 0;
        }
        List<Long> sorted = convergeMillis.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    String lastLine() {
        return String.format(Locale.ROOT, "chaos: faults %d changes %d violations %d converge p99 %d",
                faults.values().stream().mapToInt(Integer::intValue).sum(), changes, violationCount(),
                convergeMillis(0.99));
    }

    void print(PrintStream out) {
        out.println("faults by kind: " + faults);
        out.println("changes made: " + changes);
        out.printf(Locale.ROOT, "convergence after heal (ms, %d epochs): p50 %d p99 %d max %d%n",
                convergeMillis.size(), convergeMillis(0.5), convergeMillis(0.99), convergeMillis(1));
        out.println("violations by invariant: " + violations);
        examples.forEach(e -> out.println("  " + e));
        out.println(lastLine());
    }
}
