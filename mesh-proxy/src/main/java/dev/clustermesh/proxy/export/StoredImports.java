package dev.clustermesh.proxy.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.clustermesh.core.keys.KeyLayout;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.core.mesh.ServiceName;
import dev.clustermesh.core.policy.Cidr;
import dev.clustermesh.proto.mesh.v1.ServiceImport;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Reads the clusterset IPs back from this cluster's ServiceImport keys in etcd, and the properties from its
 * ClusterConfig, so a new leader keeps them.
 */
final class StoredImports {
    private static final Logger LOG = Logger.getLogger(StoredImports.class);

    private StoredImports() {
    }

    /**
     * The allocation held by {@code keys} (this cluster's keys as listed from etcd): the first clusterset IP of every
     * import whose value parses and names its key's service; addresses outside {@code cidr} are dropped.
     */
    static ClustersetIps adopt(String cluster, Cidr cidr, Map<String, ByteString> keys) {
        Map<ServiceName, String> stored = new HashMap<>();
        String prefix = KeyLayout.prefix(ResourceKind.MCS, cluster);
        keys.forEach((key, value) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            try {
                ServiceImport i = ServiceImport.parseFrom(value);
                boolean matches = key.equals(prefix + i.getNamespace() + '/' + i.getName());
                if (matches && i.getIpsCount() > 0) {
                    stored.put(new ServiceName(i.getNamespace(), i.getName()), i.getIps(0));
                }
            } catch (InvalidProtocolBufferException e) {
                LOG.debugf("import key %s skipped: %s", key, e.getMessage());
            }
        });
        ClustersetIps ips = ClustersetIps.of(cidr, stored);
        if (!stored.isEmpty()) {
            LOG.infof("cluster %s: %d clusterset IPs found in etcd, %d kept", cluster, stored.size(),
                    ips.byService().size());
        }
        return ips;
    }

    /**
     * The ClusterProperties this cluster's stored ClusterConfig announces (none when absent or unreadable): what a
     * new leader keeps announcing until its source has read the properties, so importers see no gap.
     */
    static Map<String, String> properties(String cluster, Map<String, ByteString> keys) {
        ByteString value = keys.get(new dev.clustermesh.core.keys.MeshKey.Config(cluster).key());
        if (value == null) {
            return Map.of();
        }
        try {
            return new java.util.TreeMap<>(dev.clustermesh.proto.mesh.v1.ClusterConfig.parseFrom(value)
                    .getPropertiesMap());
        } catch (InvalidProtocolBufferException e) {
            LOG.debugf("config of %s unreadable: %s", cluster, e.getMessage());
            return Map.of();
        }
    }
}
