package dev.clustermesh.agent.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.mesh.MeshSnapshot;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.remote.ClusterStatus;
import dev.clustermesh.core.remote.Freshness;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The incremental book must always equal a full computation of the same mesh state. */
class LbBookTest {
    private static final List<String> CLUSTERS = List.of("cluster1", "cluster2", "cluster3");

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomChangeSequencesMatchAFullComputation(long seed) {
        Random random = new Random(seed);
        Map<ServiceName, Map<String, ClusterService>> mesh = new HashMap<>();
        Map<String, Integer> ids = Map.of("cluster1", 1, "cluster2", 2, "cluster3", 3);
        LbBook book = new LbBook("cluster1");
        MemoryTarget target = new MemoryTarget();
        Map<String, BackendState> pods = new HashMap<>();
        LbMaps previous = book.maps();
        String previousDump = previous.dump();
        for (int step = 0; step < 400; step++) {
            Set<ServiceName> touched = new HashSet<>();
            if (random.nextInt(4) == 0) {
                // A pod changes readiness: the exporter rewrites every service it backs, in one pass.
                String pod = CLUSTERS.get(random.nextInt(3)) + "/10.99.0." + random.nextInt(6);
                pods.put(pod, pods.getOrDefault(pod, BackendState.BACKEND_STATE_ACTIVE) == BackendState.BACKEND_STATE_ACTIVE
                        ? BackendState.BACKEND_STATE_TERMINATING : BackendState.BACKEND_STATE_ACTIVE);
                mesh.forEach((name, byCluster) -> byCluster.replaceAll((cluster, svc) -> {
                    ClusterService next = withPodStates(svc, pods);
                    if (!next.equals(svc)) {
                        touched.add(name);
                    }
                    return next;
                }));
            } else {
                ServiceName name = new ServiceName("default", "svc-" + random.nextInt(12));
                String cluster = CLUSTERS.get(random.nextInt(CLUSTERS.size()));
                Map<String, ClusterService> byCluster = mesh.computeIfAbsent(name, n -> new HashMap<>());
                if (random.nextInt(5) == 0) {
                    byCluster.remove(cluster);
                } else {
                    byCluster.put(cluster, withPodStates(randomService(random, name, cluster), pods));
                }
                if (byCluster.isEmpty()) {
                    mesh.remove(name);
                }
                touched.add(name);
            }
            LbChange change = LbChange.empty();
            for (ServiceName name : touched) {
                Map<String, ClusterService> byCluster = mesh.getOrDefault(name, Map.of());
                book.update(name, List.copyOf(byCluster.values()), ids::get, c -> false, change);
            }
            // What the datapath and readers were handed is a snapshot: later updates never show through it.
            assertThat(previous.dump()).as("snapshot of step %d after step %d", step - 1, step).isEqualTo(previousDump);
            target.apply(book.maps(), change);
            previous = book.maps();
            previousDump = previous.dump();

            LbMaps full = LbCompute.compute("cluster1", snapshot(mesh), LbIds.EMPTY);
            assertThat(shape(book.snapshot())).as("step %d", step).isEqualTo(shape(full));
            assertThat(target.shape()).as("changed entries only, step %d", step).isEqualTo(shape(full));
            assertThat(referencedIds(book.snapshot())).isEqualTo(book.snapshot().backends().keySet());
        }
    }

    /** A datapath stand-in that applies only the changed entries, as MemoryDatapath does. */
    static final class MemoryTarget {
        final TreeMap<LbFrontend, LbService> services = new TreeMap<>();
        final TreeMap<Integer, LbBackend> backends = new TreeMap<>();

        void apply(LbMaps view, LbChange change) {
            change.services().forEach(f -> put(services, f, view.services().get(f)));
            change.backends().forEach(id -> put(backends, id, view.backends().get(id)));
        }

        private static <K, V> void put(TreeMap<K, V> m, K k, V v) {
            if (v == null) {
                m.remove(k);
            } else {
                m.put(k, v);
            }
        }

        List<String> shape() {
            return LbBookTest.shape(new LbMaps(services, backends, LbIds.EMPTY));
        }
    }

    /** The maps with IDs replaced by what they stand for, since the two paths may number differently. */
    static List<String> shape(LbMaps maps) {
        return maps.services().values().stream().map(s -> s.frontend() + " " + s.name() + " " + s.affinity()
                + s.slots().stream().map(slot -> {
                    LbBackend b = maps.backends().get(slot.backendId());
                    return " " + b.cluster() + "/" + b.address() + "/" + b.clusterId() + "/" + b.state()
                            + (slot.preferred() ? "P" : "") + (slot.usable() ? "U" : "");
                }).collect(Collectors.joining())).toList();
    }

    static Set<Integer> referencedIds(LbMaps maps) {
        Set<Integer> ids = new HashSet<>();
        maps.services().values().forEach(s -> s.slots().forEach(slot -> ids.add(slot.backendId())));
        return ids;
    }

    /** The service with every backend in its pod's current state. */
    static ClusterService withPodStates(ClusterService svc, Map<String, BackendState> pods) {
        ClusterService.Builder b = svc.toBuilder();
        for (Backend.Builder be : b.getBackendsBuilderList()) {
            be.setState(pods.getOrDefault(svc.getCluster() + "/" + be.getIp(), BackendState.BACKEND_STATE_ACTIVE));
        }
        return b.build();
    }

    static ClusterService randomService(Random r, ServiceName name, String cluster) {
        int n = Integer.parseInt(name.name().substring(4));
        ClusterService.Builder b = ClusterService.newBuilder().setCluster(cluster).setNamespace(name.namespace())
                .setName(name.name()).setShared(r.nextInt(4) != 0)
                .setAffinity(Affinity.forNumber(r.nextInt(3)))
                .addClusterIps("10." + (CLUSTERS.indexOf(cluster) + 1) + "1.0." + n)
                .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80));
        if (r.nextBoolean()) {
            b.addPorts(Port.newBuilder().setName("dns").setProtocol(Protocol.UDP).setPort(53));
        }
        int backends = r.nextInt(4);
        for (int i = 0; i < backends; i++) {
            // A small address pool, so backends are shared between services and come and go.
            b.addBackends(Backend.newBuilder().setIp("10.99.0." + r.nextInt(6))
                    .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080))
                    .addPorts(Port.newBuilder().setName("dns").setProtocol(Protocol.UDP).setPort(5353)));
        }
        return b.build();
    }

    static MeshSnapshot snapshot(Map<ServiceName, Map<String, ClusterService>> mesh) {
        Map<ServiceName, List<ClusterService>> services = new HashMap<>();
        mesh.forEach((n, m) -> services.put(n, new ArrayList<>(m.values())));
        Map<String, ClusterStatus> clusters = new HashMap<>();
        for (int i = 0; i < CLUSTERS.size(); i++) {
            clusters.put(CLUSTERS.get(i), new ClusterStatus(CLUSTERS.get(i), i + 1, true, true,
                    Set.of(ResourceKind.values()), 0, 0, 0, "", Optional.empty(), Optional.empty(), Optional.empty(),
                    Freshness.FRESH, "", 1, 1));
        }
        return new MeshSnapshot(1, services, Map.of(), clusters, 0);
    }
}
