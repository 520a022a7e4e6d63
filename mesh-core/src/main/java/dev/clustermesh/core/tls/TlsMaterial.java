package dev.clustermesh.core.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One consistent set of TLS files, parsed: the trusted CAs (a bundle of old and new during a CA rollover) and,
 * for mutual TLS, the certificate chain with its private key.
 *
 * @param trusted the CA certificates, at least one
 * @param chain the certificate chain, leaf first; empty without a client certificate
 * @param keyManager presents {@code chain}; empty without one
 * @param trustManager checks peers against {@code trusted}
 */
public record TlsMaterial(List<X509Certificate> trusted, List<X509Certificate> chain,
        Optional<X509ExtendedKeyManager> keyManager, X509ExtendedTrustManager trustManager) {

    public TlsMaterial {
        trusted = List.copyOf(trusted);
        chain = List.copyOf(chain);
    }

    /** The leaf certificate, when there is one. */
    public Optional<X509Certificate> leaf() {
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0));
    }

    /**
     * Builds the managers for {@code trusted} and, when {@code key} is present, {@code chain}.
     *
     * @throws PemReader.InvalidPem when the key is not the leaf's, naming both sources
     */
    static TlsMaterial of(List<X509Certificate> trusted, List<X509Certificate> chain, Optional<PrivateKey> key,
            String certSource, String keySource) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                trust.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            X509ExtendedTrustManager tm = first(tmf.getTrustManagers(), X509ExtendedTrustManager.class);
            if (key.isEmpty()) {
                return new TlsMaterial(trusted, List.of(), Optional.empty(), tm);
            }
            if (!PemReader.matches(chain.get(0), key.get())) {
                throw new PemReader.InvalidPem(keySource + " is not the private key of " + certSource + " ("
                        + chain.get(0).getSubjectX500Principal().getName() + "); if both are being replaced, the "
                        + "other file is still to come");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] password = new char[0];
            ks.setKeyEntry("mesh", key.get(), password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            return new TlsMaterial(trusted, chain, Optional.of(first(kmf.getKeyManagers(),
                    X509ExtendedKeyManager.class)), tm);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new PemReader.InvalidPem("cannot use " + certSource + " with " + keySource + ": " + e.getMessage());
        }
    }

    private static <T> T first(Object[] managers, Class<T> type) {
        for (Object m : managers) {
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
        throw new IllegalStateException("the JDK offers no " + type.getSimpleName());
    }
}
