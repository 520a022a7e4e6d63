package dev.clustermesh.core.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and PKCS#8 private keys with the JDK alone (no reflection, no provider lookup by
 * name beyond the JDK's own), for the reloading TLS material of every mesh service.
 */
public final class PemReader {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private PemReader() {
    }

    /**
     * Every certificate in {@code pem}, in order (a CA bundle holds several).
     *
     * @throws InvalidPem naming {@code source} when there is none or one does not parse
     */
    public static List<X509Certificate> certificates(byte[] pem, String source) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(pem, "CERTIFICATE")) {
                out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new InvalidPem(source + " is not a valid PEM certificate: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new InvalidPem(source + " holds no PEM CERTIFICATE block");
        }
        return out;
    }

    /**
     * The PKCS#8 ({@code BEGIN PRIVATE KEY}) key in {@code pem}: EC, RSA or Ed25519.
     *
     * @throws InvalidPem naming {@code source} when there is none, it is another format, or it does not parse
     */
    public static PrivateKey privateKey(byte[] pem, String source) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("BEGIN EC PRIVATE KEY") || text.contains("BEGIN RSA PRIVATE KEY")) {
            throw new InvalidPem(source + " holds a SEC1/PKCS#1 key; convert it to PKCS#8 with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in <key> -out <key>' (or cert-manager's privateKey.encoding: PKCS8)");
        }
        List<byte[]> keys;
        try {
            keys = blocks(pem, "PRIVATE KEY");
        } catch (IllegalArgumentException e) {
            throw new InvalidPem(source + " is not a valid PEM private key: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new InvalidPem(source + " holds no unencrypted PEM PRIVATE KEY block");
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
            } catch (GeneralSecurityException e) {
                // Try the next algorithm.
            }
        }
        throw new InvalidPem(source + " is not an EC, RSA or Ed25519 PKCS#8 private key");
    }

    /** Whether {@code key} is the private key of {@code cert} (signs a probe the certificate's key verifies). */
    public static boolean matches(X509Certificate cert, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            byte[] probe = "clustermesh".getBytes(StandardCharsets.US_ASCII);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<byte[]> blocks(byte[] pem, String type) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }

    /** A PEM file that cannot be used; the message names the file and what is wrong. */
    public static final class InvalidPem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidPem(String message) {
            super(message);
        }
    }
}
