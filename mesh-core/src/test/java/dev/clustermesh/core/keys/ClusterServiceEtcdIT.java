package dev.clustermesh.core.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import dev.clustermesh.testing.etcd.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A ClusterService written to a real etcd under the key layout reads back identical, field by field. */
@Timeout(60)
class ClusterServiceEtcdIT {
    @RegisterExtension
    static final EtcdExtension ETCD = new EtcdExtension();

    @Test
    void clusterServiceRoundTripsThroughRealEtcd() throws Exception {
        ClusterService written = ClusterService.newBuilder()
                .setCluster("cluster1").setNamespace("default").setName("rebel-base")
                .addClusterIps("10.11.0.10").addClusterIps("fd00:11::10")
                .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80))
                .addBackends(Backend.newBuilder().setIp("10.10.1.5").setState(BackendState.BACKEND_STATE_ACTIVE)
                        .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080))
                        .setHostname("rebel-base-0").setZone("zone-a").setNode("kind-worker"))
                .addBackends(Backend.newBuilder().setIp("10.10.2.9").setState(BackendState.BACKEND_STATE_TERMINATING)
                        .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080)))
                .setShared(true).setAffinity(Affinity.AFFINITY_LOCAL).setResourceVersion("4711")
                .build();
        MeshKey key = new MeshKey.Service("cluster1", "default", "rebel-base", written.getShared());

        try (Client client = Client.builder().endpoints(ETCD.endpoint()).build()) {
            client.getKVClient().put(bytes(key.key()), ByteSequence.from(written.toByteArray()))
                    .get(10, TimeUnit.SECONDS);

            List<KeyValue> kvs = client.getKVClient()
                    .get(bytes(KeyLayout.SERVICES), GetOption.builder().isPrefix(true).build())
                    .get(10, TimeUnit.SECONDS).getKvs();

            assertThat(kvs).hasSize(1);
            MeshKey parsed = KeyLayout.parse(kvs.get(0).getKey().toString(StandardCharsets.UTF_8));
            assertThat(parsed).isEqualTo(key);
            ClusterService read = ClusterService.parseFrom(kvs.get(0).getValue().getBytes());
            assertThat(read.getCluster()).isEqualTo("cluster1");
            assertThat(read.getNamespace()).isEqualTo("default");
            assertThat(read.getName()).isEqualTo("rebel-base");
            assertThat(read.getClusterIpsList()).containsExactly("10.11.0.10", "fd00:11::10");
            assertThat(read.getPorts(0)).isEqualTo(written.getPorts(0));
            assertThat(read.getBackendsCount()).isEqualTo(2);
            Backend active = read.getBackends(0);
            assertThat(active.getIp()).isEqualTo("10.10.1.5");
            assertThat(active.getState()).isEqualTo(BackendState.BACKEND_STATE_ACTIVE);
            assertThat(active.getPorts(0).getPort()).isEqualTo(8080);
            assertThat(active.getHostname()).isEqualTo("rebel-base-0");
            assertThat(active.getZone()).isEqualTo("zone-a");
            assertThat(active.getNode()).isEqualTo("kind-worker");
            assertThat(read.getBackends(1).getState()).isEqualTo(BackendState.BACKEND_STATE_TERMINATING);
            assertThat(read.getShared()).isTrue();
            assertThat(read.getAffinity()).isEqualTo(Affinity.AFFINITY_LOCAL);
            assertThat(read.getResourceVersion()).isEqualTo("4711");
            assertThat(read).isEqualTo(written);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
