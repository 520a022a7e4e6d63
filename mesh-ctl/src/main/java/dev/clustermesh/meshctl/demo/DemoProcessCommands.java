package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl demo stop CLUSTER PROCESS} and {@code meshctl demo start CLUSTER}: stop one process of a demo
 * cluster, e.g. its mesh-proxy to see the other cluster's agent lose it and, after {@code mesh.clusters.ttl},
 * withdraw its state, and start again whatever of that cluster does not run, with the ports and settings of
 * {@code demo up}.
 */
final class DemoProcessCommands {
    /** The cluster's processes, in the order they start. */
    static final List<String> ROLES = List.of("etcd", "mesh-proxy", "mesh-agent", "mesh-dns");

    private DemoProcessCommands() {
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop one process of a demo cluster (SIGTERM, SIGKILL after 10 s), e.g. "
                    + "'meshctl demo stop cluster2 mesh-proxy' to disconnect cluster2; 'meshctl demo start' starts it "
                    + "again.")
    static final class Stop extends DemoCommand.DemoSubcommand implements Runnable {
        @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
        String cluster;

        @Parameters(index = "1", description = "etcd, mesh-proxy, mesh-agent, mesh-dns or rebel-base-<k>")
        String process;

        @Override
        public void run() {
            DemoState state = DemoState.load(dir());
            DemoNetwork.requireRootFor(state, "'demo stop'");
            DemoState.Cluster c = state.cluster(cluster);
            List<Long> pids = c.processes().stream().filter(p -> p.role().equals(process))
                    .map(DemoState.Proc::pid).toList();
            if (pids.isEmpty()) {
                throw new MeshCtlException(c.name() + " has no process '" + process + "'; its processes: "
                        + String.join(", ", c.processes().stream().map(DemoState.Proc::role).distinct().toList()));
            }
            int stopped;
            try {
                stopped = Processes.stopAll(pids, state.dir().toString(), Duration.ofSeconds(10));
            } finally {
                new DemoRunner(state, System.out).removeContainer(c, process);
            }
            System.out.println((stopped == 0 ? "⏹  " + c.name() + "/" + process + " was not running"
                    : "⏹  " + c.name() + "/" + process + " stopped (PID " + pids.get(pids.size() - 1) + ")")
                    + "; start it again with: meshctl demo start " + c.name());
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start again the processes of a demo cluster that do not run (after 'meshctl demo stop'), "
                    + "and wait until each is ready.")
    static final class Start extends DemoCommand.DemoSubcommand implements Runnable {
        @Parameters(index = "0", description = "cluster1, cluster2 (or cluster3)")
        String cluster;

        @Override
        public void run() {
            DemoState state = DemoState.load(dir());
            DemoNetwork.requireRootFor(state, "'demo start'");
            DemoState.Cluster c = state.cluster(cluster);
            String marker = state.dir().toString();
            DemoRunner runner = new DemoRunner(state, System.out);
            List<String> started = new ArrayList<>();
            for (String role : ROLES) {
                if (c.processes().stream().anyMatch(p -> p.role().equals(role) && Processes.runs(p.pid(), marker))) {
                    continue;
                }
                c.processes().removeIf(p -> p.role().equals(role));
                start(runner, c, role).run();
                started.add(role);
            }
            if (runner.nftables()) {
                List<String> pods = c.processes().stream().filter(p -> p.role().startsWith(DemoLayout.SERVICE + "-")
                        && !Processes.runs(p.pid(), marker)).map(DemoState.Proc::role).toList();
                c.processes().removeIf(p -> pods.contains(p.role()));
                state.save();
                runner.pods(c);
                started.addAll(pods);
            }
            System.out.println(started.isEmpty() ? "✅ every process of " + c.name() + " runs already"
                    : "✅ " + c.name() + ": started " + String.join(", ", started));
        }

        /** Spawns {@code role}; the result waits until it is ready. */
        private static Runnable start(DemoRunner runner, DemoState.Cluster c, String role) {
            return switch (role) {
                case "etcd" -> runner.startEtcd(c);
                case "mesh-proxy" -> runner.startProxy(c);
                case "mesh-agent" -> runner.startAgent(c);
                case "mesh-dns" -> runner.startDns(c);
                default -> throw new IllegalStateException("not a role of " + ROLES + ": " + role);
            };
        }
    }
}
