package dev.clustermesh.core.etcd;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * PEM files for a TLS client connection.
 *
 * @param ca the CA that signed the server's certificate
 * @param cert the client certificate, for mutual TLS
 * @param key the client's PKCS#8 private key, present exactly when {@code cert} is
 */
public record TlsFiles(Path ca, Optional<Path> cert, Optional<Path> key) {
    public TlsFiles {
        Objects.requireNonNull(ca, "ca");
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("a client certificate and its key must be given together");
        }
    }

    /** Mutual TLS: CA, client certificate and key. */
    public static TlsFiles mutual(Path ca, Path cert, Path key) {
        return new TlsFiles(ca, Optional.of(cert), Optional.of(key));
    }
}
