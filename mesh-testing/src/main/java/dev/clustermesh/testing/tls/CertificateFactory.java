package dev.clustermesh.testing.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Creates CAs and issues certificates, writing each as PEM files into one directory.
 *
 * <p>Keys are EC P-256, signatures SHA256withECDSA, serial numbers random and positive. Validity
 * starts one hour in the past to absorb clock skew and lasts {@link #DEFAULT_VALIDITY} unless a
 * {@link Duration} is given. Files are named after the common name, lower-cased with anything but
 * {@code [a-z0-9._-]} replaced by {@code -}: {@code <name>.pem} and {@code <name>-key.pem}, with a
 * {@code -2}, {@code -3}… suffix when a name is already taken, so nothing is ever overwritten.
 * Methods are thread-safe. Failures to generate or write throw {@link IllegalStateException} or
 * {@link UncheckedIOException}.
 */
public final class CertificateFactory {

    /** Validity of certificates issued without an explicit {@link Duration}. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final List<KeyPurposeId> SERVER =
            List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
    private static final List<KeyPurposeId> CLIENT = List.of(KeyPurposeId.id_kp_clientAuth);

    private final Path directory;
    private final SecureRandom random = new SecureRandom();

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
        KeyPair keys = generateKeyPair();
        X500Name name = name(commonName);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), name, keys.getPublic());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(keys.getPublic()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build CA certificate CN=" + commonName, e);
        }
        X509Certificate cert = sign(builder, keys.getPrivate());
        PemFiles files = write(commonName, cert, keys.getPrivate());
        return new Ca(files.cert(), files.key(), cert, keys.getPrivate());
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
     * @throws IllegalArgumentException if an entry of {@code ipSans} is not an IPv4 or IPv6 literal
     */
    public synchronized Issued issueServer(Ca ca, String commonName, List<String> dnsSans,
            List<String> ipSans, Duration validity) {
        List<GeneralName> sans = new ArrayList<>();
        dnsSans.forEach(dns -> sans.add(new GeneralName(GeneralName.dNSName, dns)));
        ipSans.forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
        Instant now = Instant.now();
        return issue(ca, commonName, SERVER, sans, now.minus(BACKDATE), now.plus(validity));
    }

    /** Issues a client certificate valid for {@link #DEFAULT_VALIDITY}; see the full overload. */
    public Issued issueClient(Ca ca, String commonName) {
        return issueClient(ca, commonName, DEFAULT_VALIDITY);
    }

    /** Issues a client certificate with extended key usage {@code clientAuth} and no SANs. */
    public synchronized Issued issueClient(Ca ca, String commonName, Duration validity) {
        Instant now = Instant.now();
        return issue(ca, commonName, CLIENT, List.of(), now.minus(BACKDATE), now.plus(validity));
    }

    /**
     * Issues a certificate that expired a day ago, after being valid for a day. It has extended key
     * usage {@code serverAuth, clientAuth} and SANs {@code localhost} and {@code 127.0.0.1}, so it
     * is rejected only for its dates, on either side of a connection.
     */
    public synchronized Issued issueExpired(Ca ca, String commonName) {
        Instant now = Instant.now();
        List<GeneralName> sans = List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        return issue(ca, commonName, SERVER, sans, now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
    }

    private Issued issue(Ca ca, String commonName, List<KeyPurposeId> purposes, List<GeneralName> sans,
            Instant notBefore, Instant notAfter) {
        KeyPair keys = generateKeyPair();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.cert(), serial(),
                Date.from(notBefore), Date.from(notAfter), name(commonName), keys.getPublic());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(ca.cert()));
            if (!sans.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build certificate CN=" + commonName, e);
        }
        X509Certificate cert = sign(builder, ca.key());
        PemFiles files = write(commonName, cert, keys.getPrivate());
        return new Issued(files.cert(), files.key(), ca.certPem(), cert, keys.getPrivate());
    }

    private static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key pair", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
        try {
            var contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign certificate", e);
        }
    }

    private BigInteger serial() {
        // 159 random bits plus one: positive, non-zero and within the 20 octets RFC 5280 allows.
        return new BigInteger(159, random).add(BigInteger.ONE);
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    private PemFiles write(String commonName, X509Certificate cert, PrivateKey key) {
        String base = commonName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        base = base.isEmpty() || base.startsWith(".") ? "cert" + base : base;
        Path certPem = directory.resolve(base + ".pem");
        Path keyPem = directory.resolve(base + "-key.pem");
        for (int n = 2; Files.exists(certPem) || Files.exists(keyPem); n++) {
            certPem = directory.resolve(base + "-" + n + ".pem");
            keyPem = directory.resolve(base + "-" + n + "-key.pem");
        }
        try {
            writePem(certPem, cert);
            // JDK keys encode as PKCS#8, which Java, Netty and Go all read; Java cannot read SEC1
            // "EC PRIVATE KEY", the form openssl ecparam writes.
            writePem(keyPem, new PemObject("PRIVATE KEY", key.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PEM files for CN=" + commonName, e);
        }
        return new PemFiles(certPem, keyPem);
    }

    private record PemFiles(Path cert, Path key) {
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }
}
