package dev.clustermesh.meshctl.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusMainTest
class CertificateCommandsTest {
    @TempDir
    Path dir;

    @Test
    void caCreateWritesTheSharedCaAndRefusesToOverwriteItWithoutForce(QuarkusMainLauncher meshctl) throws Exception {
        Path ca = dir.resolve("pki");
        LaunchResult created = meshctl.launch("ca", "create", "--dir", ca.toString());
        assertThat(created.exitCode()).as(created.getErrorOutput()).isZero();
        assertThat(created.getOutput()).contains("CA \"ClusterMesh/J CA\"", ca.resolve("ca.crt").toString());
        KeyedCertificate first = Pem.read(ca.resolve("ca.crt"), ca.resolve("ca.key"));
        assertThat(first.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);

        LaunchResult again = meshctl.launch("ca", "create", "--dir", ca.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.getErrorOutput().strip()).doesNotContain("\n").startsWith("Error: ")
                .contains("already exists; use --force");
        assertThat(Pem.read(ca.resolve("ca.crt"), ca.resolve("ca.key")).certificate())
                .isEqualTo(first.certificate());

        LaunchResult forced = meshctl.launch("ca", "create", "--dir", ca.toString(), "--force");
        assertThat(forced.exitCode()).isZero();
        assertThat(Pem.readCertificate(ca.resolve("ca.crt"))).isNotEqualTo(first.certificate());
    }

    @Test
    void certsIssueGivesEachClusterAServerAndTwoClientIdentitiesFromTheSharedCa(QuarkusMainLauncher meshctl)
            throws Exception {
        Path ca = dir.resolve("pki");
        assertThat(meshctl.launch("ca", "create", "--dir", ca.toString()).exitCode()).isZero();
        LaunchResult issued = meshctl.launch("certs", "issue", "--cluster", "cluster1", "--ca-dir", ca.toString(),
                "--proxy-ip", "192.0.2.10", "--proxy-dns", "mesh.example.org");
        assertThat(issued.exitCode()).as(issued.getErrorOutput()).isZero();

        Path out = ca.resolve("cluster1");
        X509Certificate caCert = Pem.readCertificate(ca.resolve("ca.crt"));
        KeyedCertificate server = Pem.read(out.resolve("server.crt"), out.resolve("server.key"));
        KeyedCertificate local = Pem.read(out.resolve("local-cluster1.crt"), out.resolve("local-cluster1.key"));
        KeyedCertificate remote = Pem.read(out.resolve("remote-cluster1.crt"), out.resolve("remote-cluster1.key"));
        assertThat(List.of(server, local, remote)).allSatisfy(k ->
                assertThat(Certificates.signedBy(k.certificate(), caCert)).isTrue());
        assertThat(local.commonName()).isEqualTo("local-cluster1");
        assertThat(remote.commonName()).isEqualTo("remote-cluster1");
        assertThat(server.certificate().getSubjectAlternativeNames().stream().map(l -> l.get(1).toString())
                .collect(Collectors.toList())).contains("mesh-proxy.clustermesh-system.svc", "mesh.example.org",
                        "localhost", "127.0.0.1", "192.0.2.10");
        assertThat(Pem.readCertificate(out.resolve("ca.crt"))).isEqualTo(caCert);
    }

    @Test
    void certsIssueAsSecretsWritesWhatKubectlApplies(QuarkusMainLauncher meshctl) throws Exception {
        Path ca = dir.resolve("pki");
        assertThat(meshctl.launch("ca", "create", "--dir", ca.toString()).exitCode()).isZero();
        Path out = dir.resolve("out");
        LaunchResult issued = meshctl.launch("certs", "issue", "--cluster", "cluster2", "--ca-dir", ca.toString(),
                "--out", out.toString(), "--format", "secret");
        assertThat(issued.exitCode()).as(issued.getErrorOutput()).isZero();

        List<HasMetadata> objects = Serialization.unmarshal(Files.newInputStream(out.resolve("secrets.yaml")));
        assertThat(objects).extracting(o -> o.getMetadata().getName())
                .containsExactly("mesh-proxy-tls", "clustermesh-clusters");
        Secret clusters = (Secret) objects.get(1);
        assertThat(clusters.getMetadata().getNamespace()).isEqualTo("clustermesh-system");
        assertThat(clusters.getData()).containsOnlyKeys("cluster2", "cluster2.etcd-client-ca.crt",
                "cluster2.etcd-client.crt", "cluster2.etcd-client.key");
        assertThat(new String(Base64.getDecoder().decode(clusters.getData().get("cluster2"))))
                .contains("https://mesh-proxy.clustermesh-system.svc:2379", "cert-file: cluster2.etcd-client.crt");
        Secret tls = (Secret) objects.get(0);
        assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(tls.getData()).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
    }

    @Test
    void badInputGivesOneLineErrorsAndNonZeroExits(QuarkusMainLauncher meshctl) {
        Path ca = dir.resolve("nothing-here");
        LaunchResult noCa = meshctl.launch("certs", "issue", "--cluster", "cluster1", "--ca-dir", ca.toString());
        assertThat(noCa.exitCode()).isEqualTo(1);
        assertThat(noCa.getErrorOutput().strip()).isEqualTo("Error: no CA in " + ca + " (ca.crt missing); create "
                + "one with 'meshctl ca create --dir " + ca + "'");

        LaunchResult badName = meshctl.launch("certs", "issue", "--cluster", "Cluster_1", "--ca-dir", ca.toString());
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.getErrorOutput().strip()).doesNotContain("\n").contains("Cluster_1");

        LaunchResult missing = meshctl.launch("certs", "issue");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.getErrorOutput().strip()).isEqualTo(
                "Error: Missing required option: '--cluster=<cluster>' (see 'meshctl certs issue --help')");

        LaunchResult unknown = meshctl.launch("ca", "create", "--colour");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.getErrorOutput().strip()).doesNotContain("\n").contains("'--colour'");

        LaunchResult days = meshctl.launch("ca", "create", "--dir", dir.toString(), "--validity-days", "0");
        assertThat(days.exitCode()).isEqualTo(2);
        assertThat(days.getErrorOutput().strip()).isEqualTo("Error: --validity-days must be at least 1, got 0");
    }
}
