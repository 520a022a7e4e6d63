package dev.clustermesh.meshctl.pki;

import dev.clustermesh.pki.Pem;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Kubernetes Secrets that carry the mesh's certificates and the agents' clusters directory. */
public final class ClusterSecrets {
    /** File-name suffixes of an entry's PEM files, as in Cilium's clustermesh secret. */
    public static final String CA_SUFFIX = ".etcd-client-ca.crt";
    public static final String CERT_SUFFIX = ".etcd-client.crt";
    public static final String KEY_SUFFIX = ".etcd-client.key";
    private ClusterSecrets() {
    }

    /** The proxy's server certificate: {@code tls.crt}, {@code tls.key}, {@code ca.crt}. */
    public static Secret proxyTls(MeshPki.ClusterCertificates certs, String namespace) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("ca.crt", Pem.certificate(certs.ca().certificate()));
        data.put("tls.crt", Pem.certificate(certs.server().certificate()));
        data.put("tls.key", Pem.privateKey(certs.server().key()));
        return secret(KubeNames.PROXY_TLS_SECRET, namespace, "kubernetes.io/tls", data);
    }

    /**
     * One cluster's entry in the agents' clusters directory: {@code <cluster>} (Cilium's clustermesh-secret
     * layout: endpoints, trusted-ca-file, cert-file, key-file, paths relative to the directory) and the three PEM
     * files it names.
     */
    public static Map<String, String> clusterEntry(String cluster, String endpoint, String caPem, String certPem,
            String keyPem) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(cluster, "endpoints:\n- " + endpoint + "\ntrusted-ca-file: " + cluster + CA_SUFFIX + "\ncert-file: "
                + cluster + CERT_SUFFIX + "\nkey-file: " + cluster + KEY_SUFFIX + "\n");
        data.put(cluster + CA_SUFFIX, caPem);
        data.put(cluster + CERT_SUFFIX, certPem);
        data.put(cluster + KEY_SUFFIX, keyPem);
        return data;
    }

    /** The clusters Secret with the given entries. */
    public static Secret clusters(String namespace, Map<String, String> data) {
        return secret(KubeNames.CLUSTERS_SECRET, namespace, "Opaque", data);
    }

    /** The in-cluster endpoint of a cluster's own proxy. */
    public static String inClusterEndpoint(String namespace) {
        return "https://" + KubeNames.PROXY_SERVICE + "." + namespace + ".svc:" + KubeNames.PROXY_PORT;
    }

    public static Secret secret(String name, String namespace, String type, Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(KubeNames.MANAGED_BY, "meshctl").endMetadata().withType(type).withData(encoded).build();
    }

    /** Decodes a Secret's data value. */
    public static String decode(Secret secret, String key) {
        String v = secret.getData() == null ? null : secret.getData().get(key);
        return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
    }
}
