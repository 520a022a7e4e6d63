package dev.clustermesh.proxy.export;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterConfig;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import dev.clustermesh.proto.mesh.v1.Endpoint;
import dev.clustermesh.proto.mesh.v1.Identity;
import dev.clustermesh.proto.mesh.v1.Heartbeat;
import dev.clustermesh.proto.mesh.v1.Node;
import dev.clustermesh.proto.mesh.v1.SyncCanary;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Reads etcd the way the tests check it: every key with its revision, values decoded by key kind. */
final class EtcdKeys {

    private EtcdKeys() {
    }

    /** Every key starting with {@code prefix}, with its KeyValue (revisions included). */
    static Map<String, KeyValue> under(Client client, String prefix) throws Exception {
        Map<String, KeyValue> out = new TreeMap<>();
        // An empty prefix means every key: from "\0" to the end of the key space ("\0" as range end).
        GetOption option = prefix.isEmpty() ? GetOption.builder().withRange(bytes("\0")).build()
                : GetOption.builder().isPrefix(true).build();
        ByteSequence key = bytes(prefix.isEmpty() ? "\0" : prefix);
        for (KeyValue kv : client.getKVClient().get(key, option).get(10, TimeUnit.SECONDS).getKvs()) {
            out.put(kv.getKey().toString(StandardCharsets.UTF_8), kv);
        }
        return out;
    }

    /** The decoded values of a cluster's exported data: services (shared and local), nodes, endpoints, identities. */
    static Map<String, Message> data(Client client, String cluster) throws Exception {
        Map<String, Message> out = new TreeMap<>();
        for (var e : under(client, KeyLayout.ROOT).entrySet()) {
            MeshKey key = KeyLayout.parse(e.getKey());
            boolean data = key instanceof MeshKey.Service || key instanceof MeshKey.Node
                    || key instanceof MeshKey.Endpoint || key instanceof MeshKey.Identity;
            if (data && key.cluster().equals(cluster)) {
                out.put(e.getKey(), decode(e.getKey(), e.getValue().getValue().getBytes()));
            }
        }
        return out;
    }

    /** Decodes a value by the kind of its key. */
    static Message decode(String key, byte[] value) throws InvalidProtocolBufferException {
        MeshKey k = KeyLayout.parse(key);
        if (k instanceof MeshKey.Config) {
            return ClusterConfig.parseFrom(value);
        } else if (k instanceof MeshKey.Service) {
            return ClusterService.parseFrom(value);
        } else if (k instanceof MeshKey.Node) {
            return Node.parseFrom(value);
        } else if (k instanceof MeshKey.Endpoint) {
            return Endpoint.parseFrom(value);
        } else if (k instanceof MeshKey.Identity) {
            return Identity.parseFrom(value);
        } else if (k instanceof MeshKey.Synced) {
            return SyncCanary.parseFrom(value);
        }
        return Heartbeat.parseFrom(value);
    }

    /** A cluster's policy documents (JSON text) by key. */
    static Map<String, String> policies(Client client, String cluster) throws Exception {
        Map<String, String> out = new TreeMap<>();
        under(client, KeyLayout.prefix(ResourceKind.POLICIES, cluster))
                .forEach((k, v) -> out.put(k, v.getValue().toString(StandardCharsets.UTF_8)));
        return out;
    }

    /** The decoded value at {@code key}, or null when absent. */
    static Message get(Client client, String key) throws Exception {
        KeyValue kv = under(client, key).get(key);
        return kv == null ? null : decode(key, kv.getValue().getBytes());
    }

    /** Puts a raw value. */
    static void put(Client client, String key, String value) throws Exception {
        client.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Every canary of {@code cluster} has a revision no older than each key of its kind. */
    static void assertCanariesWrittenAfterTheirKeys(Client client, String cluster) throws Exception {
        Map<String, KeyValue> all = under(client, "mesh/v1/");
        for (ResourceKind kind : ResourceKind.values()) {
            long canaryRevision = all.get(new MeshKey.Synced(cluster, kind).key()).getModRevision();
            String prefix = kind == ResourceKind.SERVICES ? "services/" + cluster + "/"
                    : kind.segment() + "/" + cluster + "/";
            all.forEach((k, v) -> {
                if (k.contains(prefix) && !k.startsWith("mesh/v1/synced/")) {
                    org.assertj.core.api.Assertions.assertThat(v.getModRevision()).as("%s before its canary", k)
                            .isLessThanOrEqualTo(canaryRevision);
                }
            });
        }
    }
}
