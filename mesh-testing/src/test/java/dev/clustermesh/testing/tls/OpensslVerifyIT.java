package dev.clustermesh.testing.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** OpenSSL, an independent X.509 implementation, agrees with what {@link CertificateFactory} writes. */
@Timeout(30)
class OpensslVerifyIT {

    @TempDir
    Path dir;

    private CertificateFactory factory;
    private Ca ca;

    @BeforeEach
    void createCa() {
        factory = new CertificateFactory(dir);
        ca = factory.createCa("mesh-ca");
    }

    @Test
    void verifiesServerAndClientCertificatesForTheirPurpose() {
        Issued server = factory.issueServer(ca, "server", List.of("localhost"), List.of("127.0.0.1"));
        Issued client = factory.issueClient(ca, "client");

        assertThat(openssl("verify", "-purpose", "sslserver", "-CAfile", ca.certPem(), server.certPem()))
                .isEqualTo(new Command.Result(0, server.certPem() + ": OK\n"));
        assertThat(openssl("verify", "-purpose", "sslclient", "-CAfile", ca.certPem(), client.certPem()))
                .isEqualTo(new Command.Result(0, client.certPem() + ": OK\n"));
        assertThat(openssl("verify", "-purpose", "sslserver", "-CAfile", ca.certPem(), client.certPem())
                .exitCode()).isNotZero();
    }

    @Test
    void rejectsExpiredCertificatesAndForeignCas() {
        Issued expired = factory.issueExpired(ca, "late");
        Issued stranger = factory.issueClient(factory.createCa("other-ca"), "client");

        assertThat(openssl("verify", "-CAfile", ca.certPem(), expired.certPem()).output())
                .contains("certificate has expired");
        assertThat(openssl("verify", "-CAfile", ca.certPem(), stranger.certPem()).exitCode()).isNotZero();
    }

    @Test
    void readsThePrivateKeysAsPkcs8() {
        Issued server = factory.issueServer(ca, "server", List.of("localhost"), List.of());

        assertThat(openssl("pkey", "-in", server.keyPem(), "-noout").exitCode()).isZero();
        assertThat(openssl("pkey", "-in", ca.keyPem(), "-noout").exitCode()).isZero();
    }

    private static Command.Result openssl(Object... args) {
        List<String> command = new ArrayList<>();
        command.add(Binaries.require("openssl", "apt-get update && apt-get install -y openssl").toString());
        for (Object arg : args) {
            command.add(arg.toString());
        }
        return Command.run(Duration.ofSeconds(10), Map.of(), command);
    }
}
