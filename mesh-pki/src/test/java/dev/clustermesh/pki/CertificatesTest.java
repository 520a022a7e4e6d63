package dev.clustermesh.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificatesTest {
    private static final Instant NOW = Instant.now();
    private static final Instant LATER = NOW.plus(Duration.ofDays(30));

    @TempDir
    Path dir;

    @Test
    void caSignsServerAndClientCertificatesWithTheRightUsages() throws Exception {
        KeyedCertificate ca = Certificates.createCa("clustermesh-ca", NOW, LATER);
        KeyedCertificate server = Certificates.issue(ca, "mesh-proxy.cluster1", Usage.SERVER,
                List.of("cluster1.mesh.local"), List.of("127.0.0.1", "::1"), NOW, LATER);
        KeyedCertificate client = Certificates.issue(ca, "remote-cluster2", Usage.CLIENT, List.of(), List.of(), NOW,
                LATER);

        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
        assertThat(Certificates.signedBy(server.certificate(), ca.certificate())).isTrue();
        assertThat(Certificates.signedBy(client.certificate(), ca.certificate())).isTrue();
        assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1",
                "1.3.6.1.5.5.7.3.2");
        assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(server.certificate().getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                .contains("cluster1.mesh.local", "127.0.0.1");
        assertThat(client.commonName()).isEqualTo("remote-cluster2");
    }

    @Test
    void aCertificateEndsNoLaterThanItsCaAndTakesIpv6Sans() throws Exception {
        KeyedCertificate ca = Certificates.createCa("short-lived", NOW, NOW.plus(Duration.ofDays(2)));
        KeyedCertificate leaf = Certificates.issue(ca, "mesh-proxy.c1", Usage.SERVER, List.of("*.mesh.example"),
                List.of("::1", "fd00::10"), NOW, LATER);

        assertThat(leaf.certificate().getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
        assertThat(leaf.certificate().getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                .contains("*.mesh.example", "0:0:0:0:0:0:0:1", "fd00:0:0:0:0:0:0:10");
    }

    @Test
    void pemRoundTripsAndKeysAreOwnerOnly() throws Exception {
        KeyedCertificate ca = Certificates.createCa("clustermesh-ca", NOW, LATER);
        Pem.writeCertificate(dir.resolve("ca.crt"), ca.certificate());
        Pem.writePrivateKey(dir.resolve("ca.key"), ca.key());

        KeyedCertificate back = Pem.read(dir.resolve("ca.crt"), dir.resolve("ca.key"));

        assertThat(back.certificate()).isEqualTo(ca.certificate());
        assertThat(back.key().getEncoded()).isEqualTo(ca.key().getEncoded());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void badInputIsRefusedNamingWhatIsWrong() throws Exception {
        KeyedCertificate ca = Certificates.createCa("ca", NOW, LATER);
        KeyedCertificate leaf = Certificates.issue(ca, "local-cluster1", Usage.CLIENT, List.of(), List.of(), NOW,
                LATER);
        KeyedCertificate other = Certificates.createCa("other", NOW, LATER);
        Pem.writeCertificate(dir.resolve("leaf.crt"), leaf.certificate());
        Pem.writePrivateKey(dir.resolve("other.key"), other.key());
        Files.writeString(dir.resolve("garbage.crt"), "not a certificate\n");

        assertThatThrownBy(() -> Certificates.issue(leaf, "x", Usage.CLIENT, List.of(), List.of(), NOW, LATER))
                .hasMessageContaining("'local-cluster1' is not a CA certificate");
        assertThatThrownBy(() -> Certificates.issue(ca, "x", Usage.SERVER, List.of(), List.of("host.example"),
                NOW, LATER)).hasMessageContaining("'host.example' is not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> Certificates.issue(ca, "x", Usage.SERVER, List.of(), List.of(":::"), NOW, LATER))
                .hasMessageContaining("':::' is not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> Certificates.issue(ca, "x", Usage.SERVER, List.of("h\u00e9llo"), List.of(), NOW,
                LATER)).hasMessageContaining("'h\u00e9llo' is not a DNS name");
        assertThatThrownBy(() -> Certificates.issue(ca, "x", Usage.SERVER, List.of("10.0.0.1"), List.of(), NOW,
                LATER)).hasMessageContaining("give IP addresses as IP SANs");
        assertThatThrownBy(() -> Certificates.createCa("ca", LATER, NOW)).hasMessageContaining("before it starts");
        assertThatThrownBy(() -> Pem.read(dir.resolve("leaf.crt"), dir.resolve("other.key")))
                .hasMessageContaining("other.key is not the private key of");
        assertThatThrownBy(() -> Pem.readCertificate(dir.resolve("garbage.crt")))
                .hasMessageContaining("garbage.crt holds no PEM CERTIFICATE block");
        assertThatThrownBy(() -> Pem.readCertificate(dir.resolve("missing.crt")))
                .hasMessageContaining("missing.crt does not exist");
        assertThatThrownBy(() -> Pem.readPrivateKey(dir.resolve("leaf.crt")))
                .hasMessageContaining("holds no unencrypted PEM private key");
    }

    @Test
    void readsSec1KeysAsOpensslWritesThem() throws Exception {
        Path key = dir.resolve("sec1.key");
        Process p = new ProcessBuilder("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                key.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as("openssl (apt-get install -y openssl)").isZero();
        assertThat(Files.readString(key)).contains("EC PRIVATE KEY");

        assertThat(Pem.readPrivateKey(key).getAlgorithm()).isEqualTo("EC");
    }

}
