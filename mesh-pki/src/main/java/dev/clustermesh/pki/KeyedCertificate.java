package dev.clustermesh.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A certificate with its private key.
 *
 * @param certificate the certificate
 * @param key         its private key
 */
public record KeyedCertificate(X509Certificate certificate, PrivateKey key) {

    /** Rejects null components. */
    public KeyedCertificate {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }

    /** The subject's common name, e.g. {@code remote-cluster2}. */
    public String commonName() {
        return Certificates.commonName(certificate);
    }
}
