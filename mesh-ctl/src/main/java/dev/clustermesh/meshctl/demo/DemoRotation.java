package dev.clustermesh.meshctl.demo;

import dev.clustermesh.core.tls.TlsProbe;
import dev.clustermesh.meshctl.agent.AgentClient;
import dev.clustermesh.meshctl.agent.Views;
import dev.clustermesh.meshctl.cli.Confirm;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import dev.clustermesh.pki.Usage;
import dev.clustermesh.proto.agent.v1.Certificate;
import dev.clustermesh.proto.agent.v1.ClusterStatus;
import dev.clustermesh.proto.agent.v1.GetStatusResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshctl demo rotate-certs}: a CA rollover of the running demo without restarting anything, in the
 * order that keeps every connection working: (1) a new CA, published next to the old one as a trust bundle;
 * (2) new server and client certificates from the new CA; (3) the old CA dropped. Each step waits until every
 * proxy and every agent shows it took the change (a probe connection to each proxy; each agent's status lists the
 * certificates it uses) before the next begins.
 */
@Command(name = "rotate-certs", mixinStandardHelpOptions = true,
        description = "Roll the demo over to a new CA and new certificates, without a restart: trust bundle, new "
                + "leaves, old CA dropped, each step confirmed by every proxy and agent.")
final class DemoRotation extends DemoCommand.DemoSubcommand implements Runnable {
    @Option(names = "--validity-days", defaultValue = "365", description = "Validity of the new CA and certificates "
            + "(default: ${DEFAULT-VALUE}).")
    int validityDays;

    @Option(names = "--timeout", defaultValue = "1m", description = "How long each step may take to be confirmed "
            + "(default: ${DEFAULT-VALUE}).")
    Duration timeout;

    private final PrintStream out = System.out;

    @Override
    public void run() {
        if (validityDays < 1) {
            throw new IllegalArgumentException("--validity-days must be at least 1, got " + validityDays);
        }
        DemoState state = DemoState.load(dir());
        DemoRunner runner = new DemoRunner(state, out);
        Path pki = runner.pki();
        Duration validity = Duration.ofDays(validityDays);
        KeyedCertificate old = MeshPki.loadCa(pki);
        Path nextDir = pki.resolve("next-ca");
        KeyedCertificate next = MeshPki.createCa(nextDir, "ClusterMesh/J demo CA " + Instant.now().getEpochSecond(),
                validity, true);
        Path probes = pki.resolve("rotation-probes");
        out.println("🔑 New CA " + subject(next.certificate()) + " (serial " + serial(next.certificate()) + ") in "
                + nextDir + "; old CA " + subject(old.certificate()) + " (serial " + serial(old.certificate()) + ")");

        out.println("1/3 Trust bundle: every cluster's ca.crt holds the old and the new CA");
        String bundle = Pem.certificate(old.certificate()) + Pem.certificate(next.certificate());
        for (DemoState.Cluster c : state.clusters().values()) {
            write(pki.resolve(c.name()).resolve(MeshPki.CA_CERT), bundle);
        }
        for (DemoState.Cluster c : state.clusters().values()) {
            Path[] probe = clientOf(next, probes, "new-ca", c);
            await(c.name() + "'s proxy accepts a certificate of the new CA", () -> accepts(pki, c, probe));
            await(c.name() + "'s agent trusts the new CA for every cluster", () -> everyCluster(c,
                    certs -> certs.stream().anyMatch(x -> x.getRole().equals("ca")
                            && x.getSerial().equals(serial(next.certificate())))));
        }

        out.println("2/3 The same keys signed by the new CA: proxies' server certificates, agents' client "
                + "certificates (key pins hold)");
        for (DemoState.Cluster c : state.clusters().values()) {
            MeshPki.resignLeaves(next, c.name(), pki.resolve(c.name()), validity);
        }
        for (DemoState.Cluster c : state.clusters().values()) {
            await(c.name() + "'s proxy serves a certificate of the new CA", () -> served(pki, c)
                    .map(s -> s.getIssuerX500Principal().equals(next.certificate().getSubjectX500Principal()))
                    .orElse(false));
            await(c.name() + "'s agent holds client certificates of the new CA for every cluster",
                    () -> everyCluster(c, certs -> certs.stream().anyMatch(x -> x.getRole().equals("client")
                            && x.getIssuer().equals(subject(next.certificate())))));
        }

        out.println("3/3 Old CA dropped: every cluster's ca.crt holds the new CA only");
        for (DemoState.Cluster c : state.clusters().values()) {
            write(pki.resolve(c.name()).resolve(MeshPki.CA_CERT), Pem.certificate(next.certificate()));
        }
        Pem.writePrivateKey(pki.resolve(MeshPki.CA_KEY), next.key());
        Pem.writeCertificate(pki.resolve(MeshPki.CA_CERT), next.certificate());
        for (DemoState.Cluster c : state.clusters().values()) {
            Path[] probe = clientOf(old, probes, "old-ca", c);
            await(c.name() + "'s proxy refuses a certificate of the old CA", () -> !accepts(pki, c, probe));
            await(c.name() + "'s agent trusts only the new CA", () -> everyCluster(c, certs -> certs.stream()
                    .filter(x -> x.getRole().equals("ca")).map(Certificate::getSerial).toList()
                    .equals(List.of(serial(next.certificate())))));
        }
        DemoRunner.deleteTree(probes);
        DemoRunner.deleteTree(nextDir);
        for (DemoState.Cluster c : state.clusters().values()) {
            try (AgentClient client = new AgentClient(c.agentAddress(), Duration.ofSeconds(5))) {
                GetStatusResponse s = Views.waitReady(client, timeout, out);
                out.println((Views.ready(s) ? "✅ " : "❌ ") + c.name() + "'s agent: " + (Views.ready(s)
                        ? "every cluster connected and synced" : String.join("; ", Views.problems(s))));
            }
        }
        out.println("✅ Rotated to CA " + subject(next.certificate()) + "; nothing restarted. Open connections keep "
                + "the certificates they negotiated until they reconnect.");
    }

    /** Files of a throwaway remote- client certificate of {@code ca} for probing {@code c}'s proxy. */
    private static Path[] clientOf(KeyedCertificate ca, Path dir, String tag, DemoState.Cluster c) {
        Instant now = Instant.now();
        KeyedCertificate k = Certificates.issue(ca, MeshPki.remoteIdentity("rotation-probe"), Usage.CLIENT, List.of(),
                List.of(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)));
        Path cert = dir.resolve(tag + "-" + c.name() + ".crt");
        Path key = dir.resolve(tag + "-" + c.name() + ".key");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MeshCtlException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Pem.writeCertificate(cert, k.certificate());
        Pem.writePrivateKey(key, k.key());
        return new Path[] {cert, key};
    }

    private static boolean accepts(Path pki, DemoState.Cluster c, Path[] client) {
        try {
            TlsProbe.connect("127.0.0.1", c.port(DemoLayout.PROXY_API), pki.resolve(c.name()).resolve(MeshPki.CA_CERT),
                    client[0], client[1]);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<X509Certificate> served(Path pki, DemoState.Cluster c) {
        Path own = pki.resolve(c.name());
        String id = MeshPki.localIdentity(c.name());
        try {
            return Optional.of(TlsProbe.connect("127.0.0.1", c.port(DemoLayout.PROXY_API), own.resolve(MeshPki.CA_CERT),
                    own.resolve(MeshPki.certFile(id)), own.resolve(MeshPki.keyFile(id))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code c}'s agent reports, for every cluster it connects to, certificates that pass {@code test}. */
    private static boolean everyCluster(DemoState.Cluster c, Predicate<List<Certificate>> test) {
        try (AgentClient client = new AgentClient(c.agentAddress(), Duration.ofSeconds(5))) {
            List<ClusterStatus> clusters = client.status().getClustersList();
            return !clusters.isEmpty() && clusters.stream().allMatch(s -> test.test(s.getCertificatesList()));
        } catch (MeshCtlException e) {
            return false;
        }
    }

    private void await(String what, java.util.function.BooleanSupplier done) {
        Confirm.await(out, what, timeout, Duration.ofMillis(200), done, "the rotation stopped here; the files written "
                + "so far stay, see the processes' logs in " + dir());
    }

    private static void write(Path file, String pem) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, pem);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private static String serial(X509Certificate c) {
        return c.getSerialNumber().toString(16);
    }
}
