package dev.clustermesh.meshctl.pki;

/** Names of the Kubernetes objects meshctl reads and writes; the manifests under {@code k8s/} use the same. */
public final class KubeNames {
    /** The namespace everything of the mesh lives in. */
    public static final String NAMESPACE = "clustermesh-system";
    /** The Service in front of the mesh-proxy's etcd API. */
    public static final String PROXY_SERVICE = "mesh-proxy";
    /** The proxy's etcd API port. */
    public static final int PROXY_PORT = 2379;
    /** ConfigMap with this cluster's name and ID. */
    public static final String CLUSTER_CONFIG = "clustermesh-config";
    /** The shared CA (certificate and key), as Cilium keeps it, so that {@code connect} can issue. */
    public static final String CA_SECRET = "clustermesh-ca";
    /** The proxy's server certificate, key and the CA. */
    public static final String PROXY_TLS_SECRET = "mesh-proxy-tls";
    /**
     * The agents' clusters directory: one file per cluster (own included) in Cilium's clustermesh-secret layout,
     * plus each entry's CA, certificate and key.
     */
    public static final String CLUSTERS_SECRET = "clustermesh-clusters";
    /** ConfigMap with the proxy's access list: which clusters may read this one (mounted into mesh-proxy). */
    public static final String ACCESS_CONFIG = "clustermesh-access";
    /** The access list's key in {@link #ACCESS_CONFIG}, the file name in the mount. */
    public static final String ACCESS_KEY = "access.yaml";
    /** Label on everything meshctl writes. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    private KubeNames() {
    }
}
