package dev.clustermesh.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes CAs and leaf certificates: EC P-256 keys, SHA256withECDSA signatures, random positive serials,
 * subject key identifiers, and on leaves the CA's authority key identifier. Thread-safe.
 */
public final class Certificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /**
     * A self-signed CA: basic constraints {@code CA:true} and key usage {@code keyCertSign, cRLSign}, both
     * critical.
     *
     * @throws PkiException if the dates are reversed or the certificate cannot be built
     */
    public static KeyedCertificate createCa(String commonName, Instant notBefore, Instant notAfter) {
        checkDates(commonName, notBefore, notAfter);
        KeyPair keys = generateKeyPair();
        X500Name name = name(commonName);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(keys.getPublic()));
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("cannot build CA certificate CN=" + commonName + ": " + e.getMessage(), e);
        }
        return new KeyedCertificate(sign(builder, keys.getPrivate(), commonName), keys.getPrivate());
    }

    /**
     * A leaf certificate signed by {@code ca}. Host name verification uses only subject alternative names,
     * never the common name, so a server needs its names in {@code dnsNames} / {@code ipAddresses}.
     *
     * @throws PkiException if {@code ca} is not a CA, an IP is not a literal, or the dates are reversed
     */
    public static KeyedCertificate issue(KeyedCertificate ca, String commonName, Usage usage,
            List<String> dnsNames, List<String> ipAddresses, Instant notBefore, Instant notAfter) {
        return issue(ca, commonName, usage, dnsNames, ipAddresses, notBefore, notAfter, generateKeyPair());
    }

    /**
     * As above for an existing key pair: a certificate renewed or re-signed by a new CA keeps its key, so access
     * lists that pin the key's hash (SPKI) still let it in.
     */
    public static KeyedCertificate issue(KeyedCertificate ca, String commonName, Usage usage,
            List<String> dnsNames, List<String> ipAddresses, Instant notBefore, Instant notAfter, KeyPair keys) {
        checkDates(commonName, notBefore, notAfter);
        if (ca.certificate().getBasicConstraints() < 0) {
            throw new PkiException("'" + commonName(ca.certificate()) + "' is not a CA certificate "
                    + "(basic constraints CA:false); cannot sign CN=" + commonName);
        }
        if (notAfter.isAfter(ca.certificate().getNotAfter().toInstant())) {
            // A certificate cannot outlive the CA that vouches for it: end it with the CA.
            notAfter = ca.certificate().getNotAfter().toInstant();
            checkDates(commonName, notBefore, notAfter);
        }
        List<GeneralName> sans = new ArrayList<>();
        for (String dns : dnsNames) {
            if (!isDnsName(dns)) {
                throw new PkiException("'" + dns + "' is not a DNS name (ASCII labels of letters, digits and '-', "
                        + "optionally '*.' first; give IP addresses as IP SANs) for CN=" + commonName);
            }
            sans.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (String ip : ipAddresses) {
            if (!isIpLiteral(ip)) {
                throw new PkiException("'" + ip + "' is not an IPv4 or IPv6 address (for an IP SAN of CN="
                        + commonName + ")");
            }
            sans.add(new GeneralName(GeneralName.iPAddress, ip));
        }
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                Date.from(notBefore), Date.from(notAfter), name(commonName), keys.getPublic());
        List<KeyPurposeId> purposes = usage == Usage.SERVER
                ? List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)
                : List.of(KeyPurposeId.id_kp_clientAuth);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(ca.certificate()));
            if (!sans.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("cannot build certificate CN=" + commonName + ": " + e.getMessage(), e);
        }
        return new KeyedCertificate(sign(builder, ca.key(), commonName), keys.getPrivate());
    }

    /**
     * {@code leaf} signed again by {@code ca} for a new period: same common name, usage, names and key pair (so
     * pins of its key hash hold), new serial.
     *
     * @throws PkiException when the leaf's names or usage cannot be read
     */
    public static KeyedCertificate resign(KeyedCertificate ca, KeyedCertificate leaf, Instant notBefore,
            Instant notAfter) {
        X509Certificate c = leaf.certificate();
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        try {
            if (c.getSubjectAlternativeNames() != null) {
                for (List<?> san : c.getSubjectAlternativeNames()) {
                    ((Integer) san.get(0) == GeneralName.dNSName ? dns : ips).add(String.valueOf(san.get(1)));
                }
            }
            List<String> eku = c.getExtendedKeyUsage();
            Usage usage = eku != null && eku.contains(KeyPurposeId.id_kp_serverAuth.getId()) ? Usage.SERVER : Usage.CLIENT;
            return issue(ca, commonName(c), usage, dns, ips, notBefore, notAfter,
                    new KeyPair(c.getPublicKey(), leaf.key()));
        } catch (java.security.cert.CertificateParsingException e) {
            throw new PkiException("cannot read the names of CN=" + commonName(c) + ": " + e.getMessage(), e);
        }
    }

    /** The subject's common name, or the whole subject when it has none. */
    public static String commonName(X509Certificate certificate) {
        X500Principal subject = certificate.getSubjectX500Principal();
        X500Name name = X500Name.getInstance(subject.getEncoded());
        RDN[] cns = name.getRDNs(BCStyle.CN);
        return cns.length == 0 ? subject.getName() : IETFUtils.valueToString(cns[0].getFirst().getValue());
    }

    /**
     * Whether {@code leaf} was signed by {@code ca}'s key.
     */
    public static boolean signedBy(X509Certificate leaf, X509Certificate ca) {
        try {
            leaf.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void checkDates(String commonName, Instant notBefore, Instant notAfter) {
        if (!notAfter.isAfter(notBefore)) {
            throw new PkiException("certificate CN=" + commonName + " would end (" + notAfter
                    + ") before it starts (" + notBefore + ")");
        }
    }

    private static boolean isDnsName(String name) {
        String n = name.startsWith("*.") ? name.substring(2) : name;
        if (n.isEmpty() || n.length() > 253 || n.matches("[0-9.]+") || n.indexOf(':') >= 0) {
            return false;
        }
        for (String label : n.split("\\.", -1)) {
            if (!label.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpLiteral(String ip) {
        // Literal syntax only: never resolve a host name here.
        if (ip.indexOf(':') >= 0) {
            if (!ip.matches("[0-9A-Fa-f:.]+") || ip.length() > 45) {
                return false;
            }
            try {
                // Bracketed, the JDK parses an IPv6 literal and never asks DNS.
                return java.net.InetAddress.getByName("[" + ip + "]") instanceof java.net.Inet6Address;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot generate an EC P-256 key pair: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer, String commonName) {
        try {
            var contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new PkiException("cannot sign certificate CN=" + commonName + ": " + e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        // 159 random bits plus one: positive, non-zero and within the 20 octets RFC 5280 allows.
        return new BigInteger(159, RANDOM).add(BigInteger.ONE);
    }

    private static X500Name name(String commonName) {
        if (commonName == null || commonName.isBlank()) {
            throw new PkiException("a certificate needs a non-empty common name");
        }
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }
}
