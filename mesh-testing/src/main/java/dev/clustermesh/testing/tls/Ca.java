package dev.clustermesh.testing.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A self-signed certificate authority made by {@link CertificateFactory#createCa}.
 *
 * @param certPem CA certificate, PEM; the trust anchor to hand to servers and clients
 * @param keyPem  CA private key, PKCS#8 PEM
 * @param cert    the CA certificate
 * @param key     the CA private key, used to sign issued certificates
 */
public record Ca(Path certPem, Path keyPem, X509Certificate cert, PrivateKey key) {

    /** Rejects null components. */
    public Ca {
        Objects.requireNonNull(certPem, "certPem");
        Objects.requireNonNull(keyPem, "keyPem");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }
}
