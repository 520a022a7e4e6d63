package dev.clustermesh.bench;

import com.google.protobuf.ByteString;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.proto.mesh.v1.Affinity;
import dev.clustermesh.proto.mesh.v1.Backend;
import dev.clustermesh.proto.mesh.v1.BackendState;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Port;
import dev.clustermesh.proto.mesh.v1.Protocol;
import java.nio.charset.StandardCharsets;

/**
 * Keys and values of the fan-out benchmark: {@code mesh/v1/services/cluster1/default/svc-NNNNN} holding a
 * realistic {@code mesh.v1.ClusterService} (two ports, a few backends with node and zone: about 100 bytes per
 * backend, 280 bytes with two, 480 with four), whose {@code resource_version} carries the writer's send time.
 *
 * <p>Why the field comes first: protobuf parsers accept fields in any order, so a value that starts with
 * field 10 ({@code resource_version}, 19 ASCII digits) is still a valid ClusterService, and a watcher reads
 * the send time at a fixed offset without decoding the whole message for each of up to a million deliveries
 * per second. Send times are {@link System#nanoTime()} of this JVM (writer and watchers share it), offset so
 * they are positive; 0 marks a preloaded value that carries no time.
 */
final class ServiceValues {
    /** Tag of field 10, length-delimited: (10 << 3) | 2. */
    private static final byte RV_TAG = 0x52;
    private static final int RV_DIGITS = 19;
    private static final long BASE = System.nanoTime() - 1;

    private final String cluster;
    private final ByteString[] keys;
    private final byte[][] bodies;

    /** Keys and value templates for {@code services} services of {@code cluster}, each with {@code backends}. */
    ServiceValues(String cluster, int services, int backends) {
        this.cluster = cluster;
        this.keys = new ByteString[services];
        this.bodies = new byte[services][];
        for (int i = 0; i < services; i++) {
            String name = String.format("svc-%05d", i);
            keys[i] = ByteString.copyFromUtf8(KeyLayout.SERVICES + cluster + "/default/" + name);
            bodies[i] = service(name, i, backends).toByteArray();
        }
    }

    int size() {
        return keys.length;
    }

    /** Size of a stamped value in bytes. */
    int valueBytes() {
        return value(0, 0).size();
    }

    ByteString key(int i) {
        return keys[i % keys.length];
    }

    /** The prefix every benchmark watcher lists and watches. */
    static ByteString prefix() {
        return ByteString.copyFromUtf8(KeyLayout.ROOT);
    }

    /** The value of service {@code i} stamped with the current time. */
    ByteString stamped(int i) {
        return value(i, now());
    }

    /** The value of service {@code i} without a send time. */
    ByteString unstamped(int i) {
        return value(i, 0);
    }

    /** Nanoseconds on the benchmark clock, always positive. */
    static long now() {
        return System.nanoTime() - BASE;
    }

    /** The send time carried by {@code value}, or 0 when it carries none. */
    static long sendTime(ByteString value) {
        if (value.size() < RV_DIGITS + 2 || value.byteAt(0) != RV_TAG || value.byteAt(1) != RV_DIGITS) {
            return 0;
        }
        long t = 0;
        for (int i = 2; i < RV_DIGITS + 2; i++) {
            t = t * 10 + (value.byteAt(i) - '0');
        }
        return t;
    }

    private ByteString value(int i, long time) {
        byte[] body = bodies[i % bodies.length];
        byte[] out = new byte[RV_DIGITS + 2 + body.length];
        out[0] = RV_TAG;
        out[1] = RV_DIGITS;
        byte[] digits = String.format("%019d", time).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, out, 2, RV_DIGITS);
        System.arraycopy(body, 0, out, RV_DIGITS + 2, body.length);
        return ByteString.copyFrom(out);
    }

    /** A service with two ports and backends spread over nodes and zones, as a small app exports. */
    private ClusterService service(String name, int i, int backends) {
        ClusterService.Builder b = ClusterService.newBuilder().setCluster(cluster).setNamespace("default")
                .setName(name).addClusterIps("10.96." + (i / 250) + "." + (i % 250 + 1))
                .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(80))
                .addPorts(Port.newBuilder().setName("grpc").setProtocol(Protocol.TCP).setPort(9090))
                .setShared(true).setAffinity(Affinity.AFFINITY_NONE);
        for (int k = 0; k < backends; k++) {
            int host = (i * backends + k) % 60_000;
            b.addBackends(Backend.newBuilder().setIp("10.0." + (host / 250) + "." + (host % 250 + 1))
                    .addPorts(Port.newBuilder().setName("http").setProtocol(Protocol.TCP).setPort(8080))
                    .addPorts(Port.newBuilder().setName("grpc").setProtocol(Protocol.TCP).setPort(9090))
                    .setState(BackendState.BACKEND_STATE_ACTIVE)
                    .setNode("ip-10-0-" + (host % 97) + "-" + (host % 13) + ".eu-west-1.compute.internal")
                    .setZone("eu-west-1" + (char) ('a' + k % 3)));
        }
        return b.build();
    }
}
