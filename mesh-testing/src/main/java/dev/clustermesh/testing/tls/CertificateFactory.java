package dev.clustermesh.testing.tls;

import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import dev.clustermesh.pki.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Creates CAs and issues certificates, writing each as PEM files into one directory.
 *
 * <p>Keys are EC P-256, signatures SHA256withECDSA, serial numbers random and positive. Validity
 * starts one hour in the past to absorb clock skew and lasts {@link #DEFAULT_VALIDITY} unless a
 * {@link Duration} is given. Files are named after the common name, lower-cased with anything but
 * {@code [a-z0-9._-]} replaced by {@code -}: {@code <name>.pem} and {@code <name>-key.pem}, with a
 * {@code -2}, {@code -3}… suffix when a name is already taken, so nothing is ever overwritten.
 * Methods are thread-safe. Failures to generate or write throw {@link dev.clustermesh.pki.PkiException}; the
 * certificates themselves are made by {@link Certificates}.
 */
public final class CertificateFactory {

    /** Validity of certificates issued without an explicit {@link Duration}. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    private static final Duration BACKDATE = Duration.ofHours(1);

    private final Path directory;

    /**
     * A factory writing into {@code directory}, which is created if absent.
     *
     * @throws UncheckedIOException if the directory cannot be created
     */
    public CertificateFactory(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

    /** The directory the PEM files are written to. */
    public Path directory() {
        return directory;
    }

    /** Creates a self-signed CA valid for {@link #DEFAULT_VALIDITY}. */
    public Ca createCa(String commonName) {
        return createCa(commonName, DEFAULT_VALIDITY);
    }

    /**
     * Creates a self-signed CA: basic constraints {@code CA:true} and key usage
     * {@code keyCertSign, cRLSign}, both critical.
     */
    public synchronized Ca createCa(String commonName, Duration validity) {
        Instant now = Instant.now();
        KeyedCertificate ca = Certificates.createCa(commonName, now.minus(BACKDATE), now.plus(validity));
        PemFiles files = write(commonName, ca);
        return new Ca(files.cert(), files.key(), ca.certificate(), ca.key());
    }

    /** Issues a server certificate valid for {@link #DEFAULT_VALIDITY}; see the full overload. */
    public Issued issueServer(Ca ca, String commonName, List<String> dnsSans, List<String> ipSans) {
        return issueServer(ca, commonName, dnsSans, ipSans, DEFAULT_VALIDITY);
    }

    /**
     * Issues a server certificate with extended key usage {@code serverAuth, clientAuth} (etcd
     * also presents its server certificate as a client to itself) and the given subject
     * alternative names. Host name verification uses only the SANs, never the common name.
     *
     * @throws dev.clustermesh.pki.PkiException if an entry of {@code ipSans} is not an IPv4 or IPv6 literal
     */
    public synchronized Issued issueServer(Ca ca, String commonName, List<String> dnsSans,
            List<String> ipSans, Duration validity) {
        Instant now = Instant.now();
        return issue(ca, commonName, Usage.SERVER, dnsSans, ipSans, now.minus(BACKDATE), now.plus(validity));
    }

    /** Issues a client certificate valid for {@link #DEFAULT_VALIDITY}; see the full overload. */
    public Issued issueClient(Ca ca, String commonName) {
        return issueClient(ca, commonName, DEFAULT_VALIDITY);
    }

    /** Issues a client certificate with extended key usage {@code clientAuth} and no SANs. */
    public synchronized Issued issueClient(Ca ca, String commonName, Duration validity) {
        Instant now = Instant.now();
        return issue(ca, commonName, Usage.CLIENT, List.of(), List.of(), now.minus(BACKDATE), now.plus(validity));
    }

    /**
     * Issues a certificate that expired a day ago, after being valid for a day. It has extended key
     * usage {@code serverAuth, clientAuth} and SANs {@code localhost} and {@code 127.0.0.1}, so it
     * is rejected only for its dates, on either side of a connection.
     */
    public synchronized Issued issueExpired(Ca ca, String commonName) {
        Instant now = Instant.now();
        return issue(ca, commonName, Usage.SERVER, List.of("localhost"), List.of("127.0.0.1"),
                now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
    }

    private Issued issue(Ca ca, String commonName, Usage usage, List<String> dns, List<String> ips,
            Instant notBefore, Instant notAfter) {
        KeyedCertificate leaf = Certificates.issue(new KeyedCertificate(ca.cert(), ca.key()), commonName, usage,
                dns, ips, notBefore, notAfter);
        PemFiles files = write(commonName, leaf);
        return new Issued(files.cert(), files.key(), ca.certPem(), leaf.certificate(), leaf.key());
    }

    private PemFiles write(String commonName, KeyedCertificate keyed) {
        String base = commonName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        base = base.isEmpty() || base.startsWith(".") ? "cert" + base : base;
        Path certPem = directory.resolve(base + ".pem");
        Path keyPem = directory.resolve(base + "-key.pem");
        for (int n = 2; Files.exists(certPem) || Files.exists(keyPem); n++) {
            certPem = directory.resolve(base + "-" + n + ".pem");
            keyPem = directory.resolve(base + "-" + n + "-key.pem");
        }
        Pem.writeCertificate(certPem, keyed.certificate());
        Pem.writePrivateKey(keyPem, keyed.key());
        return new PemFiles(certPem, keyPem);
    }

    private record PemFiles(Path cert, Path key) {
    }
}
