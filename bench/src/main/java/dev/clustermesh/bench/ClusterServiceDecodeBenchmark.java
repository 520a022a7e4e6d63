package dev.clustermesh.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding one ClusterService value as read from etcd: the mesh.v1 protobuf encoding we store, next to the
 * same message as JSON (the encoding Cilium's clustermesh stores) decoded in the same JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class ClusterServiceDecodeBenchmark {

    @Param({"10000"})
    int backends;

    byte[] protobuf;
    String json;

    @Setup
    public void setUp() throws InvalidProtocolBufferException {
        ClusterService service = build(backends);
        protobuf = service.toByteArray();
        json = JsonFormat.printer().print(service);
    }

    /** A realistic global service: every backend with one named port, a node, a zone and a state. */
    static ClusterService build(int n) {
        ClusterService.Builder b = ClusterService.newBuilder().setCluster("cluster2").setNamespace("default")
                .setName("rebel-base").addClusterIps("10.21.0.10")
                .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80))
                .setShared(true).setAffinity(Affinity.AFFINITY_NONE).setResourceVersion("123456");
        for (int i = 0; i < n; i++) {
            b.addBackends(Backend.newBuilder()
                    .setIp("10.20." + (i / 250) + "." + (i % 250 + 1))
                    .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080))
                    .setState(i % 50 == 0 ? BackendState.BACKEND_STATE_TERMINATING : BackendState.BACKEND_STATE_ACTIVE)
                    .setNode("kind-worker" + (i % 100)).setZone("zone-" + (char) ('a' + i % 3)));
        }
        return b.build();
    }

    @Benchmark
    public ClusterService decodeProtobuf() throws InvalidProtocolBufferException {
        return ClusterService.parseFrom(protobuf);
    }

    @Benchmark
    public ClusterService decodeJson() throws InvalidProtocolBufferException {
        ClusterService.Builder b = ClusterService.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }
}
