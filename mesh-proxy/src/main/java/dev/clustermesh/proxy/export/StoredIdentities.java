package dev.clustermesh.proxy.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.MalformedKeyException;
import dev.clustermesh.core.keys.MeshKey;
import dev.clustermesh.proto.mesh.v1.Identity;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/** Reads the identity table back from this cluster's keys in etcd. */
final class StoredIdentities {
    private static final Logger LOG = Logger.getLogger(StoredIdentities.class);

    private StoredIdentities() {
    }

    /**
     * The table held by {@code keys} (this cluster's keys as listed from etcd): every identity key whose value
     * parses and names the same identity. Anything else is skipped (and then pruned, as nothing wants it).
     */
    static IdentityTable adopt(String cluster, int clusterId, Map<String, ByteString> keys) {
        Map<Integer, Map<String, String>> stored = new HashMap<>();
        String prefix = KeyLayout.IDENTITIES + cluster + '/';
        keys.forEach((key, value) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            try {
                MeshKey.Identity k = (MeshKey.Identity) KeyLayout.parse(key);
                Identity v = Identity.parseFrom(value);
                if (v.getId() == k.id() && cluster.equals(v.getCluster())) {
                    stored.put(v.getId(), v.getLabelsMap());
                }
            } catch (MalformedKeyException | InvalidProtocolBufferException e) {
                LOG.debugf("identity key %s skipped: %s", key, e.getMessage());
            }
        });
        IdentityTable table = IdentityTable.adopt(clusterId, stored);
        LOG.infof("cluster %s: %d identities found in etcd, %d kept", cluster, stored.size(), table.byId().size());
        return table;
    }
}
