/**
 * Certificates for TLS tests, written as PEM files.
 *
 * <p>This package owns generating CAs and the server and client certificates they sign. It
 * promises that every file it writes is accepted as is by Java's TLS stack, by Netty's PEM
 * loading and by Go programs such as etcd: certificates are {@code CERTIFICATE} PEM, private keys
 * are unencrypted PKCS#8 ({@code PRIVATE KEY}) EC P-256 keys, and extensions follow what Go's
 * verifier checks (CA key usage, extended key usage on leaves, subject alternative names rather
 * than the common name for host names).
 */
package dev.clustermesh.testing.tls;
