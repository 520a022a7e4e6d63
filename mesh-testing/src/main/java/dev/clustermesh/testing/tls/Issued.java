package dev.clustermesh.testing.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A leaf certificate signed by a {@link Ca}, with its key and the CA's certificate.
 *
 * @param certPem certificate, PEM
 * @param keyPem  private key, PKCS#8 PEM
 * @param caPem   certificate of the signing CA, PEM; the same file as {@link Ca#certPem()}
 * @param cert    the certificate
 * @param key     the private key
 */
public record Issued(Path certPem, Path keyPem, Path caPem, X509Certificate cert, PrivateKey key) {

    /** Rejects null components. */
    public Issued {
        Objects.requireNonNull(certPem, "certPem");
        Objects.requireNonNull(keyPem, "keyPem");
        Objects.requireNonNull(caPem, "caPem");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }
}
