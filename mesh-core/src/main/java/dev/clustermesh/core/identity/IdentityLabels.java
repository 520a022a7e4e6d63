package dev.clustermesh.core.identity;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The labels that make up a pod's security identity, with the Cilium-compatible names of the labels the mesh
 * adds itself. Pure: the same pod, namespace and filter always give the same labels.
 */
public final class IdentityLabels {
    /** The cluster the pod runs in; every identity carries it. */
    public static final String CLUSTER = "io.cilium.k8s.policy.cluster";
    /** The pod's namespace name. */
    public static final String NAMESPACE = "io.kubernetes.pod.namespace";
    /** The pod's service account, when it has one. */
    public static final String SERVICE_ACCOUNT = "io.cilium.k8s.policy.serviceaccount";
    /** Prefix of the labels of the pod's namespace: {@code io.cilium.k8s.namespace.labels.<key>}. */
    public static final String NAMESPACE_LABEL_PREFIX = "io.cilium.k8s.namespace.labels.";
    /** Pod labels with these prefixes are left out: only the mesh sets them. */
    private static final String[] RESERVED = {"io.cilium.k8s.", "io.kubernetes.pod."};

    private IdentityLabels() {
    }

    /**
     * The identity labels of a pod.
     *
     * @param cluster the cluster name
     * @param namespace the pod's namespace
     * @param serviceAccount the pod's service account, empty when unset
     * @param podLabels all labels of the pod; reserved ones (starting with {@code io.cilium.k8s.} or
     *     {@code io.kubernetes.pod.}) and those the filter excludes are left out
     * @param namespaceLabels all labels of the namespace; those the filter excludes are left out
     */
    public static SortedMap<String, String> of(String cluster, String namespace, String serviceAccount,
            Map<String, String> podLabels, Map<String, String> namespaceLabels, IdentityLabelFilter filter) {
        SortedMap<String, String> out = new TreeMap<>();
        podLabels.forEach((k, v) -> {
            if (!reserved(k) && filter.keeps(k)) {
                out.put(k, v);
            }
        });
        namespaceLabels.forEach((k, v) -> {
            if (filter.keeps(k)) {
                out.put(NAMESPACE_LABEL_PREFIX + k, v);
            }
        });
        out.put(NAMESPACE, namespace);
        out.put(CLUSTER, cluster);
        if (!serviceAccount.isEmpty()) {
            out.put(SERVICE_ACCOUNT, serviceAccount);
        }
        return out;
    }

    private static boolean reserved(String key) {
        for (String p : RESERVED) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
