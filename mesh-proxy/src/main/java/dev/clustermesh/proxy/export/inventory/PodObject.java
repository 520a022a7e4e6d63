package dev.clustermesh.proxy.export.inventory;

import java.util.List;
import java.util.Map;

/**
 * What the export needs of a Kubernetes Pod.
 *
 * @param ref namespace and name
 * @param labels metadata.labels
 * @param ips status.podIPs (or status.podIP), in source order; empty before the pod has an address
 * @param node spec.nodeName, empty when not scheduled
 * @param hostNetwork spec.hostNetwork: such a pod uses the node's address and is not exported
 * @param phase status.phase ({@code Pending}, {@code Running}, {@code Succeeded}, {@code Failed}), empty when unknown
 * @param terminating true when metadata.deletionTimestamp is set
 * @param serviceAccount spec.serviceAccountName, empty when unset
 * @param namedPorts spec.containers[].ports that have a name, in source order
 */
public record PodObject(ObjectRef ref, Map<String, String> labels, List<String> ips, String node,
        boolean hostNetwork, String phase, boolean terminating, String serviceAccount, List<PortSpec> namedPorts) {
    public PodObject {
        labels = Map.copyOf(labels);
        ips = List.copyOf(ips);
        node = node == null ? "" : node;
        phase = phase == null ? "" : phase;
        serviceAccount = serviceAccount == null ? "" : serviceAccount;
        namedPorts = List.copyOf(namedPorts);
    }
}
