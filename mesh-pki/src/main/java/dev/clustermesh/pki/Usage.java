package dev.clustermesh.pki;

/** What a leaf certificate is for; decides its extended key usage. */
public enum Usage {
    /**
     * A server: {@code serverAuth} and {@code clientAuth} (etcd presents its server certificate as a client to
     * its own peers and gateway, so both are set, as etcd's own tooling does).
     */
    SERVER,
    /** A client: {@code clientAuth} only. */
    CLIENT
}
