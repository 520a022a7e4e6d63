package dev.clustermesh.agent.chaos;

import dev.clustermesh.agent.chaos.ChaosCampaign.Fault;
import dev.clustermesh.testing.mesh.ServiceProcess;
import java.io.PrintStream;
import java.util.List;
import java.util.function.BiConsumer;

/** Injects and heals the campaign's faults on its mesh. */
final class ChaosFaults {
    private final ChaosMesh mesh;
    /** Marks what a fault disturbs ("cluster<c>", "<from>-><to>", "agent<c>-<i>", "dns<c>") until a time (ns). */
    private final BiConsumer<String, Long> disturb;
    private final PrintStream log;
    private SlowConsumer slow;
    private ServiceProcess killed;

    ChaosFaults(ChaosMesh mesh, BiConsumer<String, Long> disturb, PrintStream log) {
        this.mesh = mesh;
        this.disturb = disturb;
        this.log = log;
    }

    /**
     * Starts ({@code start}) or heals {@code fault} on cluster {@code a} (and the pair a, b for partitions; the
     * agent {@code agentIndex} of a for restarts), and marks what it disturbs, until when.
     */
    void inject(Fault fault, int a, int b, int agentIndex, boolean start) {
        long forever = Long.MAX_VALUE;
        switch (fault) {
            case PROXY_KILL -> {
                // Every replica: the cluster's proxy service is down.
                mesh.cluster(a).proxies().forEach(start ? ServiceProcess::kill : ServiceProcess::restart);
                disturb.accept("cluster" + a, start ? forever : System.nanoTime());
            }
            case PROXY_LEADER_KILL -> {
                // The replica that leads the export: the other serves on, and takes the export over once the
                // lease runs out; meanwhile the heartbeat stops.
                if (start) {
                    List<ServiceProcess> replicas = mesh.cluster(a).proxies();
                    killed = replicas.stream().filter(p -> p.metric("mesh_export_leader") == 1).findFirst()
                            .orElse(replicas.get(0));
                    log.printf("  killing replica %d of %d (%s)%n", replicas.indexOf(killed) + 1, replicas.size(),
                            killed.metric("mesh_export_leader") == 1 ? "the leader" : "no leader found");
                    killed.kill();
                } else {
                    killed.restart();
                }
                disturb.accept("cluster" + a, start ? forever : System.nanoTime());
            }
            case ETCD_KILL -> {
                if (start) {
                    mesh.cluster(a).etcd().kill();
                } else {
                    mesh.cluster(a).etcd().restart();
                }
                disturb.accept("cluster" + a, start ? forever : System.nanoTime());
            }
            case ETCD_WIPE -> {
                // Killed, then back on an empty data directory: its exporter must write everything again, and
                // until it has, the agents must keep what they had (the withdrawal guard), not drop it.
                if (start) {
                    mesh.cluster(a).etcd().kill();
                } else {
                    mesh.cluster(a).etcd().restartEmpty();
                }
                disturb.accept("cluster" + a, start ? forever : System.nanoTime());
            }
            case PARTITION_BOTH_WAYS, PARTITION_ONE_WAY -> {
                mesh.partition(a, b, start);
                disturb.accept(a + "->" + b, start ? forever : System.nanoTime());
                if (fault == Fault.PARTITION_BOTH_WAYS) {
                    mesh.partition(b, a, start);
                    disturb.accept(b + "->" + a, start ? forever : System.nanoTime());
                }
            }
            case CERT_OTHER_CA -> {
                // Its proxy restarts serving a certificate of a CA the mesh does not trust: every agent's
                // handshake with it fails (as if unreachable) until its own certificate is back.
                mesh.otherCaCertificate(a, start);
                disturb.accept("cluster" + a, start ? forever : System.nanoTime());
            }
            case SLOW_CONSUMER -> {
                // Disturbs nothing: everyone else must be served as before while it sits there.
                if (start) {
                    slow = mesh.slowConsumer(a);
                } else {
                    ServiceProcess proxy = mesh.cluster(a).proxy();
                    log.printf("  slow consumer at the heal: cluster%d's proxy queues %.0f bytes, %.0f streams wait "
                            + "for their client, %.0f watch streams%n", a,
                            proxy.metric("mesh_proxy_watch_queued_bytes"),
                            proxy.metric("mesh_proxy_watch_streams_waiting_for_client"),
                            proxy.metric("mesh_proxy_watch_streams"));
                    slow.close();
                }
            }
            case NEW_ID -> {
                // Disconnected from the other clusters, re-deployed under a new cluster ID (its own agents too,
                // as their configuration names it), then connected again: every agent must hold its backends
                // under the new ID only.
                if (start) {
                    mesh.connected(a, false);
                    int id = mesh.cluster(a).id() + mesh.clusterCount();
                    log.printf("  cluster%d: ID %d -> %d%n", a, mesh.cluster(a).id(), id);
                    mesh.changeId(a, id);
                } else {
                    mesh.connected(a, true);
                }
                disturb.accept("cluster" + a, start ? forever : System.nanoTime());
            }
            case DNS_KILL -> {
                // kill -9 of the cluster's mesh-dns; at the heal it starts again and must answer as the oracle.
                if (start) {
                    mesh.dns().server(a).kill();
                } else {
                    mesh.dns().server(a).restart();
                }
                disturb.accept("dns" + a, start ? forever : System.nanoTime());
            }
            case AGENT_RESTART -> {
                if (start) {
                    mesh.restartAgent(a, agentIndex);
                    disturb.accept("agent" + a + "-" + agentIndex, System.nanoTime());
                }
            }
        }
    }
}
