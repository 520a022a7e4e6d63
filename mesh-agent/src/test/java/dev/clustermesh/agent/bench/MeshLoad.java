package dev.clustermesh.agent.bench;

import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.proto.mesh.v1.SyncCanary;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Writes what an exporter would: a cluster's config, canaries, and N global services of B backends each. */
final class MeshLoad {
    private MeshLoad() {
    }

    static String clusterIp(int clusterId, int svc) {
        return "10." + (clusterId * 10 + 1) + "." + (svc / 250) + "." + (svc % 250 + 1);
    }

    static String name(int svc) {
        return "svc-%05d".formatted(svc);
    }

    static ClusterService service(String cluster, int clusterId, int svc, int backends) {
        ClusterService.Builder b = ClusterService.newBuilder().setCluster(cluster).setNamespace("default")
                .setName(name(svc)).setShared(true).addClusterIps(clusterIp(clusterId, svc))
                .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80));
        for (int i = 0; i < backends; i++) {
            // Up to 131,072 distinct pod IPs per cluster: 10.(100 + 2 * id).0.0/15.
            int n = svc * 12 + i;
            b.addBackends(Backend.newBuilder().setIp("10." + (100 + 2 * clusterId + n / 65536) + "."
                    + ((n / 256) % 256) + "." + (n % 256)).setState(BackendState.BACKEND_STATE_ACTIVE)
                    .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080)));
        }
        return b.build();
    }

    static void load(Client etcd, String cluster, int clusterId, int services, int backends) throws Exception {
        List<Op> ops = new ArrayList<>();
        ops.add(put(new MeshKey.Config(cluster).key(), ClusterConfig.newBuilder().setName(cluster).setId(clusterId).build().toByteArray()));
        ops.add(put(new MeshKey.Heartbeat(cluster).key(), Heartbeat.newBuilder().setUnixMillis(System.currentTimeMillis()).build().toByteArray()));
        for (int s = 0; s < services; s++) {
            ops.add(put(new MeshKey.Service(cluster, "default", name(s), true).key(),
                    service(cluster, clusterId, s, backends).toByteArray()));
            if (ops.size() == 100) {
                commit(etcd, ops);
            }
        }
        for (ResourceKind k : ResourceKind.values()) {
            ops.add(put(new MeshKey.Synced(cluster, k).key(), SyncCanary.newBuilder().setKeys(services).build().toByteArray()));
        }
        commit(etcd, ops);
    }

    static Op put(String key, byte[] value) {
        return Op.put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value), PutOption.DEFAULT);
    }

    private static void commit(Client etcd, List<Op> ops) throws Exception {
        etcd.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(30, TimeUnit.SECONDS);
        ops.clear();
    }
}
