package dev.clustermesh.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** etcd (Go) accepts the PEM files of {@link CertificateFactory} and enforces client certificates. */
@Timeout(60)
class EtcdClientTlsIT {

    @TempDir
    Path certs;

    @Test
    void servesClientsThatPresentACertificateFromTheTrustedCa() {
        CertificateFactory factory = new CertificateFactory(certs);
        Ca ca = factory.createCa("etcd-ca");
        Issued server = factory.issueServer(ca, "etcd", List.of("localhost"), List.of("127.0.0.1"));
        Issued client = factory.issueClient(ca, "mesh-agent");
        Issued stranger = factory.issueClient(factory.createCa("other-ca"), "mesh-agent");

        try (EtcdProcess etcd = EtcdProcess.builder()
                .clientTls(server.certPem(), server.keyPem(), ca.certPem())
                .start()) {
            Etcdctl trusted = withCert(etcd, ca, client);

            trusted.put("k", "over-tls");

            assertThat(etcd.endpoint()).startsWith("https://127.0.0.1:");
            assertThat(trusted.get("k")).isEqualTo("over-tls");
            // etcdctl only reports a deadline; etcd's log says why it refused the connection.
            assertThat(withCert(etcd, ca, stranger).run("--command-timeout=1s", "get", "k").exitCode()).isNotZero();
            assertThat(etcd.logTail(50)).contains("x509: certificate signed by unknown authority");
            assertThat(new Etcdctl(etcd.endpoint(), List.of("--cacert=" + ca.certPem()))
                    .run("--command-timeout=1s", "get", "k").exitCode()).isNotZero();
            assertThat(etcd.logTail(50)).contains("didn't provide a certificate");
        }
    }

    /** etcdctl trusting {@code ca} for the server and presenting {@code client}. */
    private static Etcdctl withCert(EtcdProcess etcd, Ca ca, Issued client) {
        return new Etcdctl(etcd.endpoint(), List.of("--cacert=" + ca.certPem(),
                "--cert=" + client.certPem(), "--key=" + client.keyPem()));
    }
}
