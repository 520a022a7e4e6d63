package dev.clustermesh.core.policy;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A pod of some cluster of the mesh as policy sees it: what selectors match, the named ports a named policy port
 * resolves to, and the numeric identity the datapath knows it by.
 *
 * @param cluster the cluster's name
 * @param namespace the pod's namespace
 * @param pod the pod's name
 * @param ip the pod's IP
 * @param labels the pod's labels
 * @param namespaceLabels the labels of the pod's namespace in the pod's own cluster
 * @param namedPorts container ports by name
 * @param identity the numeric identity, {@code clusterId << 16 | local}, shared by every pod of the same cluster with
 *     the same {@link #selectionLabels()}
 */
public record PolicyEndpoint(String cluster, String namespace, String pod, InetAddress ip, Map<String, String> labels,
                             Map<String, String> namespaceLabels, Map<String, NamedPort> namedPorts, int identity) {
    /** The label every identity carries with its cluster's name (Cilium's key). */
    public static final String CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
    /** The label carrying the pod's namespace name (Cilium's key). */
    public static final String NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
    /** Prefix of the namespace's labels among the selection labels (Cilium's). */
    public static final String NAMESPACE_LABEL_PREFIX = "io.cilium.k8s.namespace.labels.";

    public PolicyEndpoint {
        labels = Map.copyOf(labels);
        namespaceLabels = Map.copyOf(namespaceLabels);
        namedPorts = Map.copyOf(namedPorts);
    }

    /**
     * The labels selectors are matched against, and that make up the identity: the pod's labels, its namespace
     * name, its namespace's labels (prefixed) and its cluster.
     */
    public Map<String, String> selectionLabels() {
        return selectionLabels(cluster, namespace, labels, namespaceLabels);
    }

    /** {@link #selectionLabels()} of a pod that is not built yet, e.g. to allocate its identity. */
    public static Map<String, String> selectionLabels(String cluster, String namespace, Map<String, String> labels,
                                                      Map<String, String> namespaceLabels) {
        Map<String, String> all = new HashMap<>(labels);
        namespaceLabels.forEach((k, v) -> all.put(NAMESPACE_LABEL_PREFIX + k, v));
        all.put(NAMESPACE_LABEL, namespace);
        all.put(CLUSTER_LABEL, cluster);
        return Map.copyOf(all);
    }

    /** {@code cluster/namespace/pod}. */
    public String name() {
        return cluster + "/" + namespace + "/" + pod;
    }
}
