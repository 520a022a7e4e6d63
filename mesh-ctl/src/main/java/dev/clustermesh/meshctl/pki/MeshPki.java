package dev.clustermesh.meshctl.pki;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import dev.clustermesh.pki.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mesh's certificate files. A CA directory holds {@code ca.crt} and {@code ca.key}; a cluster's directory
 * holds {@code ca.crt}, the proxy's {@code server.crt}/{@code server.key}, and the two client certificates its
 * agents present: {@code local-<cluster>} to their own cluster's proxy, {@code remote-<cluster>} to every other
 * cluster's proxy. The CN is the identity the proxies authorise.
 */
public final class MeshPki {
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String SERVER_CERT = "server.crt";
    public static final String SERVER_KEY = "server.key";
    /** Certificates start an hour early to absorb clock skew between machines. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private MeshPki() {
    }

    /** The three certificates of one cluster. */
    public record ClusterCertificates(String cluster, KeyedCertificate ca, KeyedCertificate server,
            KeyedCertificate local, KeyedCertificate remote) {
    }

    /**
     * Creates the mesh's CA in {@code dir}.
     *
     * @throws MeshCtlException when a CA is already there and {@code force} is false
     */
    public static KeyedCertificate createCa(Path dir, String commonName, Duration validity, boolean force) {
        Path cert = dir.resolve(CA_CERT);
        if (!force && (Files.exists(cert) || Files.exists(dir.resolve(CA_KEY)))) {
            throw new MeshCtlException(cert + " already exists; use --force to replace the CA (every certificate "
                    + "it signed would stop being trusted)");
        }
        Instant now = Instant.now();
        KeyedCertificate ca = Certificates.createCa(commonName, now.minus(BACKDATE), now.plus(validity));
        Pem.writePrivateKey(dir.resolve(CA_KEY), ca.key());
        Pem.writeCertificate(cert, ca.certificate());
        return ca;
    }

    /**
     * Reads the CA from {@code dir}.
     *
     * @throws MeshCtlException when there is none, naming the command that makes one
     */
    public static KeyedCertificate loadCa(Path dir) {
        Path cert = dir.resolve(CA_CERT);
        if (!Files.exists(cert)) {
            throw new MeshCtlException("no CA in " + dir + " (" + CA_CERT + " missing); create one with "
                    + "'meshctl ca create --dir " + dir + "'");
        }
        KeyedCertificate ca = Pem.read(cert, dir.resolve(CA_KEY));
        if (ca.certificate().getBasicConstraints() < 0) {
            throw new MeshCtlException(cert + " is not a CA certificate (CN=" + ca.commonName() + ")");
        }
        if (ca.certificate().getNotAfter().toInstant().isBefore(Instant.now())) {
            throw new MeshCtlException("the CA in " + cert + " expired on " + ca.certificate().getNotAfter()
                    .toInstant() + "; certificates it signs would not be trusted");
        }
        return ca;
    }

    /** The common name a cluster's agents present to their own cluster's proxy. */
    public static String localIdentity(String cluster) {
        return "local-" + cluster;
    }

    /** The common name a cluster's agents present to other clusters' proxies. */
    public static String remoteIdentity(String cluster) {
        return "remote-" + cluster;
    }

    /** File name of a client certificate, e.g. {@code remote-cluster1.crt}. */
    public static String certFile(String identity) {
        return identity + ".crt";
    }

    /** File name of a client key, e.g. {@code remote-cluster1.key}. */
    public static String keyFile(String identity) {
        return identity + ".key";
    }

    /**
     * Issues a cluster's proxy server certificate and its two client certificates.
     *
     * @throws MeshCtlException when the cluster name is not a valid cluster name
     */
    public static ClusterCertificates issue(KeyedCertificate ca, String cluster, List<String> dnsNames,
            List<String> ipAddresses, Duration validity) {
        ClusterIdentity.nameProblem(cluster).ifPresent(p -> {
            throw new MeshCtlException("--cluster: " + p);
        });
        Instant now = Instant.now();
        Instant from = now.minus(BACKDATE);
        Instant until = now.plus(validity);
        KeyedCertificate server = Certificates.issue(ca, "mesh-proxy." + cluster, Usage.SERVER, dnsNames,
                ipAddresses, from, until);
        KeyedCertificate local = Certificates.issue(ca, localIdentity(cluster), Usage.CLIENT, List.of(), List.of(),
                from, until);
        KeyedCertificate remote = Certificates.issue(ca, remoteIdentity(cluster), Usage.CLIENT, List.of(),
                List.of(), from, until);
        return new ClusterCertificates(cluster, ca, server, local, remote);
    }

    /** The server names a proxy answers to by default, in a cluster and in the local demo. */
    public static List<String> defaultServerNames(String cluster, String namespace) {
        List<String> names = new ArrayList<>();
        names.add(KubeNames.PROXY_SERVICE);
        names.add(KubeNames.PROXY_SERVICE + "." + namespace + ".svc");
        names.add(KubeNames.PROXY_SERVICE + "." + namespace + ".svc.cluster.local");
        names.add(cluster + ".mesh.clustermesh.local");
        names.add("localhost");
        return names;
    }

    /**
     * Writes a cluster's certificates as PEM files into {@code dir}.
     *
     * @return file name → path of everything written, in a stable order
     */
    public static Map<String, Path> write(ClusterCertificates certs, Path dir) {
        Map<String, Path> files = new LinkedHashMap<>();
        put(files, dir, CA_CERT, certs.ca().certificate());
        files.putAll(writeLeaves(certs, dir));
        return files;
    }

    /**
     * Signs a cluster's leaf certificates in {@code dir} (server, local- and remote- client) again with {@code ca},
     * keeping their keys, names and identities; writes the certificates only, not {@code ca.crt} (during a CA
     * rollover that file holds the bundle of old and new CA).
     */
    public static void resignLeaves(KeyedCertificate ca, String cluster, Path dir, Duration validity) {
        Instant now = Instant.now();
        for (String[] pair : List.of(new String[] {SERVER_CERT, SERVER_KEY},
                new String[] {certFile(localIdentity(cluster)), keyFile(localIdentity(cluster))},
                new String[] {certFile(remoteIdentity(cluster)), keyFile(remoteIdentity(cluster))})) {
            KeyedCertificate leaf = Pem.read(dir.resolve(pair[0]), dir.resolve(pair[1]));
            Pem.writeCertificate(dir.resolve(pair[0]), Certificates.resign(ca, leaf, now.minus(BACKDATE),
                    now.plus(validity)).certificate());
        }
    }

    private static Map<String, Path> writeLeaves(ClusterCertificates certs, Path dir) {
        Map<String, Path> files = new LinkedHashMap<>();
        // Each key lands before its certificate; readers of a half-written pair wait for the other file.
        putKey(files, dir, SERVER_KEY, certs.server());
        put(files, dir, SERVER_CERT, certs.server().certificate());
        for (KeyedCertificate client : List.of(certs.local(), certs.remote())) {
            putKey(files, dir, keyFile(client.commonName()), client);
            put(files, dir, certFile(client.commonName()), client.certificate());
        }
        return files;
    }

    private static void put(Map<String, Path> files, Path dir, String name, X509Certificate cert) {
        Path file = dir.resolve(name);
        Pem.writeCertificate(file, cert);
        files.put(name, file);
    }

    private static void putKey(Map<String, Path> files, Path dir, String name, KeyedCertificate keyed) {
        Path file = dir.resolve(name);
        Pem.writePrivateKey(file, keyed.key());
        files.put(name, file);
    }
}
