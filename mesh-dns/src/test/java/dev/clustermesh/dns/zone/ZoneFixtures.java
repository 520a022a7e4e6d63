package dev.clustermesh.dns.zone;

import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Mesh snapshots for zone and server tests, seen from cluster1. */
public final class ZoneFixtures {
    public static final String APEX = "clusterset.local";
    public static final ZoneSettings SETTINGS = ZoneSettings.of(APEX, Duration.ofSeconds(5), "cluster1");

    private ZoneFixtures() {
    }

    /** A ClusterService of cluster {@code cluster} in namespace default with one named TCP port. */
    public static ClusterService.Builder service(String cluster, String name, String portName, int port,
            String... clusterIps) {
        return ClusterService.newBuilder().setCluster(cluster).setNamespace("default").setName(name).setShared(true)
                .addAllClusterIps(List.of(clusterIps))
                .addPorts(Port.newBuilder().setName(portName).setProtocol(Protocol.TCP).setPort(port));
    }

    /** An active backend. */
    public static Backend active(String ip, String hostname) {
        return Backend.newBuilder().setIp(ip).setHostname(hostname).setState(BackendState.BACKEND_STATE_ACTIVE).build();
    }

    /** An active backend whose port {@code portName} is {@code port}. */
    public static Backend active(String ip, String hostname, String portName, int port) {
        return active(ip, hostname).toBuilder()
                .addPorts(Port.newBuilder().setName(portName).setProtocol(Protocol.TCP).setPort(port)).build();
    }

    /** A terminating backend. */
    public static Backend terminating(String ip) {
        return Backend.newBuilder().setIp(ip).setState(BackendState.BACKEND_STATE_TERMINATING).build();
    }

    /** A snapshot holding these services, grouped by namespace/name. */
    public static MeshSnapshot snapshot(long version, ClusterService... services) {
        Map<ServiceName, List<ClusterService>> by = new HashMap<>();
        for (ClusterService s : services) {
            by.computeIfAbsent(new ServiceName(s.getNamespace(), s.getName()), k -> new ArrayList<>()).add(s);
        }
        return new MeshSnapshot(version, by, Map.of(), Map.of(), 0);
    }

    /** Headless {@code name} in cluster1 with {@code n} active endpoints 10.10.(100+n).1.. */
    public static ClusterService headless(String name, int n) {
        ClusterService.Builder b = service("cluster1", name, "http", 80).setHeadless(true);
        for (int i = 1; i <= n; i++) {
            b.addBackends(active("10.10." + (100 + n) + "." + i, name + "-" + i));
        }
        return b.build();
    }

    /**
     * The reference mesh plus headless {@code big} with 100 endpoints (more than 1232 octets of A records even
     * compressed), {@code mid} with 40 (more than 512, less than 1232), and {@code headless28}, {@code
     * headless29}, {@code headless72}, {@code headless73}: names as long as {@code rebel-base}'s whose A records
     * just fit, or just do not fit, 512 and 1232 octets.
     */
    public static MeshSnapshot referenceWithBig() {
        MeshSnapshot r = reference();
        Map<ServiceName, List<ClusterService>> s = new HashMap<>(r.services());
        for (int n : new int[] {28, 29, 72, 73}) {
            s.put(new ServiceName("default", "headless" + n), List.of(headless("headless" + n, n)));
        }
        s.put(new ServiceName("default", "big"), List.of(headless("big", 100)));
        s.put(new ServiceName("default", "mid"), List.of(headless("mid", 40)));
        return new MeshSnapshot(r.version(), s, r.nodes(), r.clusters(), r.changedAtNanos());
    }

    /**
     * The reference mesh: rebel-base in cluster1 and cluster2; remote-only in cluster2, cluster3 and cluster4
     * (cluster4 without an active backend); headless db in cluster1 and cluster2; scaled (cluster2, no backend);
     * private (cluster2, not shared); a service whose name is not a DNS label; dual-stack dual in cluster1.
     */
    public static MeshSnapshot reference() {
        return snapshot(7,
                service("cluster1", "rebel-base", "http", 80, "10.11.0.10")
                        .addBackends(active("10.10.1.1", "")).addBackends(active("10.10.1.2", "")).build(),
                service("cluster2", "rebel-base", "http", 80, "10.21.0.10")
                        .addBackends(active("10.20.1.1", "")).addBackends(terminating("10.20.1.2")).build(),
                service("cluster2", "remote-only", "http", 80, "10.21.0.20").addBackends(active("10.20.3.1", "")).build(),
                service("cluster3", "remote-only", "http", 80, "10.31.0.20").addBackends(active("10.30.3.1", "")).build(),
                service("cluster4", "remote-only", "http", 80, "10.41.0.20").addBackends(terminating("10.40.3.1")).build(),
                service("cluster1", "db", "pg", 5432).setHeadless(true)
                        .addBackends(active("10.10.2.1", "db-0", "pg", 15432))
                        .addBackends(active("10.10.2.2", "", "pg", 15432)).build(),
                service("cluster2", "db", "pg", 5432).setHeadless(true)
                        .addBackends(active("10.20.2.1", "db-0", "pg", 15432)).build(),
                service("cluster2", "scaled", "http", 80, "10.21.0.50").build(),
                service("cluster2", "private", "http", 80, "10.21.0.60").setShared(false)
                        .addBackends(active("10.20.6.1", "")).build(),
                service("cluster2", "Bad_Name", "http", 80, "10.21.0.70").addBackends(active("10.20.7.1", "")).build(),
                service("cluster1", "dual", "", 80, "10.11.0.30", "fd00:11::30").addBackends(active("10.10.3.1", ""))
                        .build());
    }
}
