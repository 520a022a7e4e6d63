package dev.clustermesh.meshctl.pki;

import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshctl certs issue}: one cluster's proxy and client certificates from the shared CA. The {@code certs}
 * group itself (with {@code rotate}, which works through the Kubernetes API) is assembled in {@code MeshCtl}.
 */
public final class CertsCommand {

    /** How {@code certs issue} hands out what it made. */
    enum Format {
        PEM, SECRET
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue the proxy's server certificate and the local-<cluster> and remote-<cluster> "
                    + "client certificates, as PEM files or as Kubernetes Secrets (YAML).")
    public static final class Issue implements Runnable {
        @Option(names = "--cluster", required = true, description = "Cluster name.")
        String cluster;

        @Option(names = "--ca-dir", defaultValue = "clustermesh-pki",
                description = "Where ca.crt and ca.key are (default: ${DEFAULT-VALUE}).")
        Path caDir;

        @Option(names = "--out", description = "Output directory (default: <ca-dir>/<cluster>).")
        Path out;

        @Option(names = "--proxy-dns", description = "Extra DNS name of the proxy (repeatable).")
        List<String> proxyDns = new ArrayList<>();

        @Option(names = "--proxy-ip", description = "IP address of the proxy (repeatable; 127.0.0.1 always).")
        List<String> proxyIps = new ArrayList<>();

        @Option(names = "--namespace", defaultValue = KubeNames.NAMESPACE,
                description = "Namespace of the proxy Service and the Secrets (default: ${DEFAULT-VALUE}).")
        String namespace;

        @Option(names = "--validity-days", defaultValue = "365", description = "Days (default: ${DEFAULT-VALUE}).")
        int validityDays;

        @Option(names = "--format", defaultValue = "pem",
                description = "pem: PEM files; secret: also secrets.yaml for kubectl apply (default: ${DEFAULT-VALUE}).")
        Format format;

        @Override
        public void run() {
            if (validityDays < 1) {
                throw new IllegalArgumentException("--validity-days must be at least 1, got " + validityDays);
            }
            dev.clustermesh.core.identity.ClusterIdentity.nameProblem(cluster).ifPresent(p -> {
                throw new IllegalArgumentException("--cluster: " + p);
            });
            KeyedCertificate ca = MeshPki.loadCa(caDir);
            List<String> dns = new ArrayList<>(MeshPki.defaultServerNames(cluster, namespace));
            dns.addAll(proxyDns);
            List<String> ips = new ArrayList<>(List.of("127.0.0.1"));
            proxyIps.stream().filter(ip -> !ips.contains(ip)).forEach(ips::add);
            MeshPki.ClusterCertificates certs = MeshPki.issue(ca, cluster, dns, ips, Duration.ofDays(validityDays));
            Path dir = out != null ? out : caDir.resolve(cluster);
            MeshPki.write(certs, dir);
            System.out.println("✅ Certificates for cluster " + cluster + " in " + dir + ":");
            System.out.println("   " + MeshPki.SERVER_CERT + "  mesh-proxy server, names " + String.join(", ", dns)
                    + ", " + String.join(", ", ips));
            System.out.println("   " + MeshPki.certFile(MeshPki.localIdentity(cluster))
                    + "  client of this cluster's own proxy");
            System.out.println("   " + MeshPki.certFile(MeshPki.remoteIdentity(cluster))
                    + "  client of every other cluster's proxy");
            if (format == Format.SECRET) {
                String entry = "---\n" + Serialization.asYaml(ClusterSecrets.proxyTls(certs, namespace)) + "---\n"
                        + Serialization.asYaml(ClusterSecrets.clusters(namespace, ClusterSecrets.clusterEntry(cluster,
                                ClusterSecrets.inClusterEndpoint(namespace), Pem.certificate(ca.certificate()),
                                Pem.certificate(certs.local().certificate()), Pem.privateKey(certs.local().key()))));
                Path yaml = dir.resolve("secrets.yaml");
                try {
                    // Private keys inside: owner-only from the first byte written.
                    Files.deleteIfExists(yaml);
                    Files.createFile(yaml, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(yaml, entry.replace("\n---\n---\n", "\n---\n"));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + yaml, e);
                }
                System.out.println("   secrets.yaml  Secrets " + KubeNames.PROXY_TLS_SECRET + " and "
                        + KubeNames.CLUSTERS_SECRET + " for: kubectl apply -f " + yaml);
            }
        }
    }
}
