package dev.clustermesh.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingTlsTest {
    @TempDir
    Path dir;

    @Test
    void changedFilesComeIntoForceAndUnusableOnesNever() throws Exception {
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("mesh-ca");
        Issued first = certs.issueClient(ca, "remote-c2");
        Issued second = certs.issueClient(ca, "remote-c2");
        Path caFile = copy(ca.certPem(), "ca.pem");
        Path cert = copy(first.certPem(), "tls.crt");
        Path key = copy(first.keyPem(), "tls.key");
        ReloadingTls tls = new ReloadingTls(caFile, Optional.of(cert), Optional.of(key), Duration.ZERO);
        assertThat(serial(tls)).isEqualTo(first.cert().getSerialNumber());

        // The certificate lands before its key: the pair does not match, the old one stays.
        Files.copy(second.certPem(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(tls.refreshNow()).isFalse();
        assertThat(serial(tls)).isEqualTo(first.cert().getSerialNumber());
        assertThat(tls.rejected()).isEqualTo(1);
        assertThat(tls.refreshNow()).as("the same unusable files are not counted twice").isFalse();
        assertThat(tls.rejected()).isEqualTo(1);

        Files.copy(second.keyPem(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(tls.refreshNow()).isTrue();
        assertThat(serial(tls)).isEqualTo(second.cert().getSerialNumber());
        assertThat(tls.reloads()).isEqualTo(1);

        Files.writeString(caFile, "not a certificate");
        assertThat(tls.refreshNow()).isFalse();
        assertThat(tls.current().trusted()).hasSize(1);

        Ca next = certs.createCa("mesh-ca-next");
        Files.writeString(caFile, Files.readString(ca.certPem()) + Files.readString(next.certPem()));
        assertThat(tls.refreshNow()).isTrue();
        assertThat(tls.current().trusted()).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=mesh-ca", "CN=mesh-ca-next");
        assertThat(MeshCertificate.of("c2", tls, MeshCertificate.CLIENT)).extracting(MeshCertificate::role)
                .containsExactly("client", "ca", "ca");
    }

    @Test
    void anAliasChosenBeforeAReloadStillGivesItsOwnChainAndKey() throws Exception {
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("mesh-ca");
        Issued first = certs.issueClient(ca, "remote-c2");
        Issued second = certs.issueClient(ca, "remote-c2");
        Path cert = copy(first.certPem(), "tls.crt");
        Path key = copy(first.keyPem(), "tls.key");
        ReloadingTls tls = new ReloadingTls(ca.certPem(), Optional.of(cert), Optional.of(key), Duration.ZERO);
        javax.net.ssl.X509ExtendedKeyManager km = tls.keyManager();
        String chosen = km.chooseEngineClientAlias(new String[] {"EC"}, null, null);
        assertThat(chosen).isNotNull();

        Files.copy(second.keyPem(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(second.certPem(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(tls.refreshNow()).isTrue();
        // The handshake that chose before the reload signs with the key of the certificate it sends.
        assertThat(km.getCertificateChain(chosen)[0].getSerialNumber()).isEqualTo(first.cert().getSerialNumber());
        assertThat(km.getPrivateKey(chosen)).isEqualTo(first.key());
        String next = km.chooseEngineClientAlias(new String[] {"EC"}, null, null);
        assertThat(km.getCertificateChain(next)[0].getSerialNumber()).isEqualTo(second.cert().getSerialNumber());
        assertThat(km.getPrivateKey("no-such-alias")).isNull();
    }

    @Test
    void badFilesAreNamedWithWhatIsWrong() throws Exception {
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        Ca ca = certs.createCa("mesh-ca");
        Path sec1 = dir.resolve("ec.key");
        Files.writeString(sec1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new ReloadingTls(ca.certPem(), Optional.of(ca.certPem()), Optional.of(sec1),
                Duration.ZERO)).hasMessageContaining(sec1.toString()).hasMessageContaining("openssl pkcs8 -topk8");
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> new ReloadingTls(empty, Optional.empty(), Optional.empty(), Duration.ZERO))
                .hasMessageContaining(empty + " holds no PEM CERTIFICATE block");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> new ReloadingTls(missing, Optional.empty(), Optional.empty(), Duration.ZERO))
                .hasMessageContaining(missing + " cannot be read");
        Issued other = certs.issueClient(ca, "remote-c3");
        assertThatThrownBy(() -> new ReloadingTls(ca.certPem(), Optional.of(ca.certPem()), Optional.of(other.keyPem()),
                Duration.ZERO)).hasMessageContaining("is not the private key of " + ca.certPem());
    }

    private static java.math.BigInteger serial(ReloadingTls tls) {
        return tls.current().leaf().orElseThrow().getSerialNumber();
    }

    private Path copy(Path from, String name) throws Exception {
        return Files.copy(from, dir.resolve(name));
    }
}
