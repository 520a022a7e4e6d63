package dev.clustermesh.proxy.access;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * What the access list's pins compare with: a client certificate's serial and public key hash.
 *
 * @param serial the serial number, lowercase hex without leading zeros ({@code openssl x509 -serial} prints it
 *        in uppercase, maybe with a leading zero: both are accepted in the file)
 * @param spkiSha256 SHA-256 of the DER SubjectPublicKeyInfo, standard base64 (as {@code openssl x509 -pubkey
 *        -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64} prints it)
 */
public record Fingerprint(String serial, String spkiSha256) {
    /** A certificate nobody presented: no serial, no key (never matches a pin). */
    public static final Fingerprint NONE = new Fingerprint("", "");

    /** The fingerprint of {@code cert}. */
    public static Fingerprint of(X509Certificate cert) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
            return new Fingerprint(cert.getSerialNumber().toString(16), Base64.getEncoder().encodeToString(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String normalSerial(String hex) {
        return new BigInteger(hex.isEmpty() ? "0" : hex, 16).toString(16);
    }
}
