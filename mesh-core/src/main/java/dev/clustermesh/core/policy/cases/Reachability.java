package dev.clustermesh.core.policy.cases;

import java.util.ArrayList;
import java.util.List;

/** Compares what a prober observes with a case's expectations, printing e2e-style truth tables for mismatches. */
public final class Reachability {
    private Reachability() {
    }

    /** Observes one connection attempt: true when it got through (for UDP: a reply came back). */
    @FunctionalInterface
    public interface Prober {
        boolean allowed(Target from, Target to, Probe probe);
    }

    /**
     * Probes every pair of targets for every probe of every expectation.
     *
     * @return one report per probe whose matrix differs, with the expected and observed tables; empty when all agree
     */
    public static List<String> check(PolicyCase c, NetpolTopology topology, Prober prober) {
        List<Target> targets = topology.targets();
        List<String> reports = new ArrayList<>();
        for (Expectation e : c.expectations()) {
            for (Probe probe : e.probes()) {
                boolean[][] expected = new boolean[targets.size()][targets.size()];
                boolean[][] observed = new boolean[targets.size()][targets.size()];
                int wrong = 0;
                for (int i = 0; i < targets.size(); i++) {
                    for (int j = 0; j < targets.size(); j++) {
                        expected[i][j] = e.allowed(targets.get(i), targets.get(j));
                        observed[i][j] = prober.allowed(targets.get(i), targets.get(j), probe);
                        wrong += expected[i][j] == observed[i][j] ? 0 : 1;
                    }
                }
                if (wrong > 0) {
                    reports.add(c.name() + " " + probe + ": " + wrong + " of " + targets.size() * targets.size()
                            + " pairs differ (rows: from, columns: to, '.' allowed, 'X' denied, '!' differs)\n"
                            + "expected:\n" + table(targets, expected, null)
                            + "observed:\n" + table(targets, observed, expected));
                }
            }
        }
        return reports;
    }

    /** A truth table; with {@code compare}, cells that differ from it are '!'. */
    public static String table(List<Target> targets, boolean[][] cells, boolean[][] compare) {
        int width = targets.stream().mapToInt(t -> t.name().length()).max().orElse(1);
        StringBuilder sb = new StringBuilder(" ".repeat(width + 1));
        for (int j = 0; j < targets.size(); j++) {
            sb.append(j % 10);
        }
        sb.append('\n');
        for (int i = 0; i < targets.size(); i++) {
            sb.append(String.format("%-" + width + "s ", targets.get(i).name()));
            for (int j = 0; j < targets.size(); j++) {
                boolean differs = compare != null && compare[i][j] != cells[i][j];
                sb.append(differs ? '!' : cells[i][j] ? '.' : 'X');
            }
            sb.append("  ").append(i % 10).append('\n');
        }
        return sb.toString();
    }
}
