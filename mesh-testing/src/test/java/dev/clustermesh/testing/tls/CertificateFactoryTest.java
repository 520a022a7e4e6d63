package dev.clustermesh.testing.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CertificateFactoryTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int DNS = 2;
    private static final int IP = 7;

    @TempDir
    Path dir;

    private CertificateFactory factory;
    private Ca ca;

    @BeforeEach
    void createCa() {
        factory = new CertificateFactory(dir);
        ca = factory.createCa("Mesh Test CA");
    }

    @Test
    void caIsASelfSignedCertificateAuthority() throws Exception {
        ca.cert().verify(ca.cert().getPublicKey());

        assertThat(ca.cert().getSubjectX500Principal().getName()).isEqualTo("CN=Mesh Test CA");
        assertThat(ca.cert().getBasicConstraints()).isNotNegative();
        assertThat(ca.cert().getKeyUsage()).startsWith(false, false, false, false, false, true, true);
        assertThat(ca.certPem()).isEqualTo(dir.resolve("mesh-test-ca.pem"));
        assertThat(ca.keyPem()).isEqualTo(dir.resolve("mesh-test-ca-key.pem"));
    }

    @Test
    void serverCertificateIsSignedByTheCaAndCarriesItsNames() throws Exception {
        Issued server = factory.issueServer(ca, "etcd", List.of("localhost", "etcd.mesh"), List.of("127.0.0.1"));

        server.cert().verify(ca.cert().getPublicKey());
        server.cert().checkValidity();
        assertThat(server.cert().getSubjectX500Principal().getName()).isEqualTo("CN=etcd");
        assertThat(server.cert().getIssuerX500Principal()).isEqualTo(ca.cert().getSubjectX500Principal());
        assertThat(server.cert().getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(DNS, "localhost"), List.of(DNS, "etcd.mesh"), List.of(IP, "127.0.0.1"));
        assertThat(server.cert().getExtendedKeyUsage()).containsExactly(SERVER_AUTH, CLIENT_AUTH);
        assertThat(server.cert().getBasicConstraints()).isEqualTo(-1);
        assertThat(server.cert().getSerialNumber()).isPositive();
        assertThat(server.cert().getNotAfter().toInstant())
                .isBetween(Instant.now().plus(Duration.ofDays(364)), Instant.now().plus(Duration.ofDays(366)));
    }

    @Test
    void clientCertificateIsSignedByTheCaForClientAuthOnly() throws Exception {
        Issued client = factory.issueClient(ca, "mesh-agent", Duration.ofDays(2));

        client.cert().verify(ca.cert().getPublicKey());
        assertThat(client.cert().getSubjectX500Principal().getName()).isEqualTo("CN=mesh-agent");
        assertThat(client.cert().getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(client.cert().getSubjectAlternativeNames()).isNull();
        assertThat(client.cert().getNotAfter().toInstant()).isBefore(Instant.now().plus(Duration.ofDays(2)));
    }

    @Test
    void expiredCertificateIsSignedButExpired() throws Exception {
        Issued expired = factory.issueExpired(ca, "late");

        expired.cert().verify(ca.cert().getPublicKey());
        assertThatThrownBy(() -> expired.cert().checkValidity()).isInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void pemFilesHoldTheReturnedCertificateAndPkcs8Key() throws Exception {
        Issued server = factory.issueServer(ca, "API server/1", List.of("localhost"), List.of());

        assertThat(server.certPem()).isEqualTo(dir.resolve("api-server-1.pem"));
        assertThat(server.caPem()).isEqualTo(ca.certPem());
        assertThat(Files.readString(server.keyPem())).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(LoopbackTls.readCert(server.certPem())).isEqualTo(server.cert());
        assertThat(LoopbackTls.readKey(server.keyPem())).isEqualTo(server.key());
        assertThat(LoopbackTls.readCert(ca.certPem())).isEqualTo(ca.cert());
        assertThat(LoopbackTls.readKey(ca.keyPem())).isEqualTo(ca.key());
    }

    @Test
    void sameCommonNameNeverOverwritesFiles() {
        Issued first = factory.issueClient(ca, "agent");
        Issued second = factory.issueClient(factory.createCa("other"), "agent");

        assertThat(first.certPem()).isEqualTo(dir.resolve("agent.pem"));
        assertThat(second.certPem()).isEqualTo(dir.resolve("agent-2.pem"));
        assertThat(second.keyPem()).isEqualTo(dir.resolve("agent-2-key.pem"));
    }

    @Test
    void javaTlsCompletesAMutualHandshakeWithThePemFiles() throws Exception {
        Issued server = factory.issueServer(ca, "server", List.of("localhost"), List.of("127.0.0.1"));
        Issued client = factory.issueClient(ca, "mesh-agent");

        assertThat(LoopbackTls.handshake(context(server), context(client))).isEqualTo("CN=mesh-agent");
    }

    @Test
    void serverRejectsAClientCertificateFromAnotherCa() throws Exception {
        Issued server = factory.issueServer(ca, "server", List.of(), List.of("127.0.0.1"));
        Ca other = factory.createCa("other-ca");
        Issued stranger = factory.issueClient(other, "mesh-agent");
        // The stranger trusts our CA, so only its own certificate can fail the handshake.
        SSLContext strangerContext = LoopbackTls.context(stranger.certPem(), stranger.keyPem(), ca.certPem());

        assertThatThrownBy(() -> LoopbackTls.handshake(context(server), strangerContext))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void serverRejectsAnExpiredClientCertificate() throws Exception {
        Issued server = factory.issueServer(ca, "server", List.of(), List.of("127.0.0.1"));
        Issued expired = factory.issueExpired(ca, "late-agent");

        assertThatThrownBy(() -> LoopbackTls.handshake(context(server), context(expired)))
                .isInstanceOf(SSLHandshakeException.class);
    }

    private static SSLContext context(Issued issued) throws Exception {
        return LoopbackTls.context(issued.certPem(), issued.keyPem(), issued.caPem());
    }
}
