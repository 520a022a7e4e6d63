/**
 * The mesh's certificates. One shared CA signs every certificate of every cluster (the seed's "shared
 * certificate authority"): each mesh-proxy's server certificate, and the client certificates whose common
 * name is the caller's identity ({@code local-<cluster>} for a cluster's own agents, {@code remote-<cluster>}
 * for another cluster's). Keys are EC P-256, written as PKCS#8 PEM, which Java, Netty, Go and etcdctl all read.
 */
package dev.clustermesh.pki;
