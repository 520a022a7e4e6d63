package dev.clustermesh.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * PEM in and out. Certificates are written as {@code CERTIFICATE}, keys as PKCS#8 {@code PRIVATE KEY} (Java
 * cannot read SEC1 {@code EC PRIVATE KEY}, the form {@code openssl ecparam} writes; this class reads both).
 * Files are replaced atomically; key files are made readable by their owner only.
 */
public final class Pem {
    private Pem() {
    }

    /** The certificate as PEM text. */
    public static String certificate(X509Certificate certificate) {
        return encode(certificate);
    }

    /** The key as PKCS#8 PEM text. */
    public static String privateKey(PrivateKey key) {
        return encode(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    /** Writes the certificate to {@code file}, replacing it atomically. */
    public static void writeCertificate(Path file, X509Certificate certificate) {
        write(file, certificate(certificate), false);
    }

    /** Writes the key to {@code file} as PKCS#8, owner-only, replacing it atomically. */
    public static void writePrivateKey(Path file, PrivateKey key) {
        write(file, privateKey(key), true);
    }

    /**
     * Reads the first certificate of a PEM file.
     *
     * @throws PkiException naming the file when it is missing, unreadable or holds no certificate
     */
    public static X509Certificate readCertificate(Path file) {
        String text = readText(file);
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder) {
                    return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o);
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new PkiException(file + " is not a valid PEM certificate: " + e.getMessage(), e);
        }
        throw new PkiException(file + " holds no PEM CERTIFICATE block");
    }

    /**
     * Reads a private key: PKCS#8 {@code PRIVATE KEY}, or SEC1/PKCS#1 key pairs.
     *
     * @throws PkiException naming the file when it is missing, unreadable, encrypted or holds no key
     */
    public static PrivateKey readPrivateKey(Path file) {
        String text = readText(file);
        try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo) {
                    return converter.getPrivateKey((PrivateKeyInfo) o);
                }
                if (o instanceof PEMKeyPair) {
                    return converter.getKeyPair((PEMKeyPair) o).getPrivate();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new PkiException(file + " is not a valid PEM private key: " + e.getMessage(), e);
        }
        throw new PkiException(file + " holds no unencrypted PEM private key (PRIVATE KEY or EC PRIVATE KEY)");
    }

    /**
     * Reads a certificate and its key, checking that they belong together.
     *
     * @throws PkiException when either cannot be read or the key does not match the certificate
     */
    public static KeyedCertificate read(Path certificateFile, Path keyFile) {
        X509Certificate cert = readCertificate(certificateFile);
        PrivateKey key = readPrivateKey(keyFile);
        if (!matches(cert, key)) {
            throw new PkiException(keyFile + " is not the private key of " + certificateFile + " (CN="
                    + Certificates.commonName(cert) + ")");
        }
        return new KeyedCertificate(cert, key);
    }

    private static boolean matches(X509Certificate cert, PrivateKey key) {
        try {
            String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            java.security.Signature s = java.security.Signature.getInstance(algorithm);
            s.initSign(key);
            byte[] probe = "clustermesh".getBytes(StandardCharsets.US_ASCII);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            return s.verify(sig);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new PkiException(file + " does not exist");
        } catch (IOException e) {
            throw new PkiException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String encode(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        } catch (IOException e) {
            throw new PkiException("cannot encode PEM: " + e.getMessage(), e);
        }
        return out.toString();
    }

    private static void write(Path file, String text, boolean secret) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
            if (secret) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // Not a POSIX file system: keep the platform's default.
                }
            } else {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException e) {
                    // Not a POSIX file system: keep the platform's default.
                }
            }
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PkiException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
