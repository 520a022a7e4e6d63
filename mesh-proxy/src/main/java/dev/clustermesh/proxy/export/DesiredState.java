package dev.clustermesh.proxy.export;

import com.google.protobuf.Message;
import dev.clustermesh.core.keys.ResourceKind;
import dev.clustermesh.proto.mesh.v1.ClusterService;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the source says should be in etcd, except the time-dependent heartbeat and sync canaries.
 *
 * @param values key text to protobuf value, sorted by key
 * @param documents key text to JSON value (policies), sorted by key; no key is in both maps
 * @param counts number of keys per exported kind (services counts shared and local ones)
 * @param warnings problems found, in a stable order
 * @param identities the identity table after this computation, to pass to the next one
 * @param clustersetIps the clusterset IP allocation after this computation, to pass to the next one
 * @param mcsConstituents every cluster's ServiceExport-exported services this cluster imports (its own included), with
 *     their backends: what the Kubernetes writer makes the imports' EndpointSlices of; not written to etcd
 */
public record DesiredState(Map<String, Message> values, Map<String, String> documents,
        Map<ResourceKind, Integer> counts, List<ExportWarning> warnings, IdentityTable identities,
        ClustersetIps clustersetIps, List<ClusterService> mcsConstituents) {
    public DesiredState {
        mcsConstituents = List.copyOf(mcsConstituents);
        values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
        documents = Collections.unmodifiableSortedMap(new TreeMap<>(documents));
        EnumMap<ResourceKind, Integer> c = new EnumMap<>(ResourceKind.class);
        for (ResourceKind k : ResourceKind.values()) {
            c.put(k, counts.getOrDefault(k, 0));
        }
        counts = Collections.unmodifiableMap(c);
        warnings = List.copyOf(warnings);
    }
}
