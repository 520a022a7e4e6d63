package dev.clustermesh.testing.mesh;

import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.etcd.EtcdProcess;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One cluster of a local test mesh: its own etcd, a mesh-proxy process exporting a manifest directory into it
 * and serving it over mTLS, and certificates from the mesh's shared CA.
 */
public final class LocalCluster implements AutoCloseable {
    private final String name;
    /** The cluster ID its proxies run under now; the CIDRs stay those of the first one. */
    private volatile int id;
    private final int cidrId;
    private final Path dir;
    private final Ca ca;
    private final CertificateFactory certs;
    private final EtcdProcess etcd;
    private final int apiPort;
    private final Issued server;
    private final byte[][] serverPem;
    private final boolean exporter;
    /** Properties replacing the manifest-directory source's, e.g. a Kubernetes API server's; empty: the directory. */
    private final Map<String, String> source;
    private ServiceProcess proxy;
    private ServiceProcess replica;
    private int replicaPort;

    private LocalCluster(String name, int id, Path dir, Ca ca, CertificateFactory certs, boolean exporter,
            Map<String, String> source) {
        this.name = name;
        this.id = id;
        this.cidrId = id;
        this.dir = dir;
        this.ca = ca;
        this.certs = certs;
        try {
            Files.createDirectories(manifests());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.etcd = EtcdProcess.start(dir.resolve("etcd"));
        this.server = certs.issueServer(ca, "mesh-proxy." + name, List.of("localhost"), List.of("127.0.0.1"));
        try {
            this.serverPem = new byte[][] {Files.readAllBytes(server.certPem()), Files.readAllBytes(server.keyPem())};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.exporter = exporter;
        this.source = Map.copyOf(source);
        this.apiPort = FreePorts.next();
        try {
            this.proxy = launchProxy("proxy-" + name, apiPort, dir.resolve("mesh-proxy.log"));
        } catch (RuntimeException e) {
            etcd.close(); // nobody else holds it
            throw e;
        }
    }

    private ServiceProcess launchProxy(String identity, int port, Path log) {
        int management = FreePorts.next();
        Map<String, String> properties = new TreeMap<>(Map.ofEntries(
                Map.entry("mesh.cluster.name", name), Map.entry("mesh.cluster.id", Integer.toString(id)),
                Map.entry("mesh.cluster.pod-cidrs", "10." + (cidrId * 10) + ".0.0/16"),
                Map.entry("mesh.cluster.service-cidrs", "10." + (cidrId * 10 + 1) + ".0.0/16"),
                Map.entry("mesh.etcd.endpoints", etcd.endpoint()),
                Map.entry("mesh.export.source", exporter ? "directory" : "none"),
                Map.entry("mesh.export.directory", manifests().toString()),
                Map.entry("mesh.export.identity", identity), Map.entry("mesh.export.lease-ttl", "5s"),
                Map.entry("mesh.export.heartbeat-interval", "2s"),
                Map.entry("quarkus.http.ssl-port", Integer.toString(port)),
                Map.entry("quarkus.management.port", Integer.toString(management)),
                Map.entry("quarkus.tls.mesh-api.key-store.pem.0.cert", server.certPem().toString()),
                Map.entry("quarkus.tls.mesh-api.key-store.pem.0.key", server.keyPem().toString()),
                Map.entry("quarkus.tls.mesh-api.trust-store.pem.certs", ca.certPem().toString())));
        properties.putAll(source);
        return ServiceProcess.start(properties, management, log);
    }

    /**
     * Starts a second mesh-proxy replica on the same etcd and manifests (identity {@code proxy-<name>-2}, its own
     * ports): the two campaign for the export lease, and both serve reads.
     */
    public synchronized ServiceProcess startReplica() {
        if (replica == null) {
            replicaPort = FreePorts.next();
            replica = launchProxy("proxy-" + name + "-2", replicaPort, dir.resolve("mesh-proxy-2.log"));
        }
        return replica;
    }

    /** The proxy replicas running or started: the first, then the one {@link #startReplica()} added. */
    public synchronized List<ServiceProcess> proxies() {
        return replica == null ? List.of(proxy) : List.of(proxy, replica);
    }

    /** The replicas' mTLS ports on loopback, in the order of {@link #proxies()}. */
    public synchronized List<Integer> proxyPorts() {
        return replica == null ? List.of(apiPort) : List.of(apiPort, replicaPort);
    }

    /** Starts a cluster under {@code dir} with certificates from {@code ca}, exporting its manifest directory. */
    public static LocalCluster start(String name, int id, Path dir, Ca ca, CertificateFactory certs) {
        return new LocalCluster(name, id, dir, ca, certs, true, Map.of());
    }

    /**
     * Starts a cluster whose exporter reads another source than its manifest directory: {@code source} holds the
     * proxies' properties for it, e.g. {@code mesh.export.source=kubernetes} and the {@code
     * quarkus.kubernetes-client.*} of a real API server.
     */
    public static LocalCluster startWithSource(String name, int id, Path dir, Ca ca, CertificateFactory certs,
            Map<String, String> source) {
        return new LocalCluster(name, id, dir, ca, certs, true, source);
    }

    /**
     * Starts a cluster whose proxy only serves its etcd (no exporter): the caller writes {@code mesh/v1/} keys
     * straight into {@link #etcd()}, e.g. for benchmarks that load thousands of services.
     */
    public static LocalCluster startServingOnly(String name, int id, Path dir, Ca ca, CertificateFactory certs) {
        return new LocalCluster(name, id, dir, ca, certs, false, Map.of());
    }

    public String name() {
        return name;
    }

    public int id() {
        return id;
    }

    public EtcdProcess etcd() {
        return etcd;
    }

    public synchronized ServiceProcess proxy() {
        return proxy;
    }

    /**
     * Restarts every proxy replica under cluster ID {@code newId} (same ports, name, etcd and CIDRs), as an
     * operator re-deploying the cluster with a new ID would; waits until they are up.
     */
    public synchronized void changeId(int newId) {
        proxies().forEach(ServiceProcess::close);
        id = newId;
        proxy = launchProxy("proxy-" + name, apiPort, dir.resolve("mesh-proxy.log"));
        if (replica != null) {
            replica = launchProxy("proxy-" + name + "-2", replicaPort, dir.resolve("mesh-proxy-2.log"));
        }
    }

    /** The proxy's mTLS endpoint. */
    public String proxyEndpoint() {
        return "https://127.0.0.1:" + apiPort;
    }

    /** The directory the proxy exports; write Kubernetes YAML manifests here. */
    public Path manifests() {
        return dir.resolve("manifests");
    }

    /** Writes (or replaces) a manifest file atomically, as a user editing the directory would. */
    public void manifest(String file, String yaml) {
        try {
            Path tmp = Files.writeString(dir.resolve("." + file + ".tmp"), yaml);
            Files.move(tmp, manifests().resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the config file with which {@code agentCluster}'s agents join this cluster into {@code clustersDir}:
     * a {@code local-} certificate for its own cluster, a {@code remote-} one otherwise.
     */
    public Path joinFile(String agentCluster, Path clustersDir) {
        return joinFile(agentCluster, clustersDir, apiPort);
    }

    /** The proxy's mTLS port on loopback. */
    public int proxyPort() {
        return apiPort;
    }

    /**
     * As {@link #joinFile(String, Path)}, with the agents dialing {@code port} on loopback: a relay in front of
     * the proxy, which a test cuts to partition the agents from this cluster.
     */
    public Path joinFile(String agentCluster, Path clustersDir, int port) {
        return joinFile(agentCluster, clustersDir, List.of(port));
    }

    /** As {@link #joinFile(String, Path, int)}, with one endpoint per port (e.g. one per replica). */
    public Path joinFile(String agentCluster, Path clustersDir, List<Integer> ports) {
        Issued client = certs.issueClient(ca, (agentCluster.equals(name) ? "local-" : "remote-") + agentCluster);
        StringBuilder endpoints = new StringBuilder("endpoints:\n");
        ports.forEach(p -> endpoints.append("- https://127.0.0.1:").append(p).append('\n'));
        try {
            Files.createDirectories(clustersDir);
            return Files.writeString(clustersDir.resolve(name), endpoints
                    + "trusted-ca-file: " + ca.certPem() + "\ncert-file: " + client.certPem()
                    + "\nkey-file: " + client.keyPem() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes this cluster's entry in Cilium's clustermesh Secret layout, as {@code meshctl clustermesh connect}
     * does: the config file {@code <name>} and its PEM files beside it ({@code <name>.etcd-client.crt},
     * {@code .key}, {@code <name>.etcd-client-ca.crt}), the config pointing at them.
     */
    public Path ciliumLayoutJoinFiles(String agentCluster, Path clustersDir) {
        Issued client = certs.issueClient(ca, (agentCluster.equals(name) ? "local-" : "remote-") + agentCluster);
        try {
            Files.createDirectories(clustersDir);
            Path crt = Files.copy(client.certPem(), clustersDir.resolve(name + ".etcd-client.crt"));
            Path key = Files.copy(client.keyPem(), clustersDir.resolve(name + ".etcd-client.key"));
            Path caCrt = Files.copy(ca.certPem(), clustersDir.resolve(name + ".etcd-client-ca.crt"));
            return Files.writeString(clustersDir.resolve(name), "endpoints:\n- " + proxyEndpoint() + "\n"
                    + "trusted-ca-file: " + caCrt + "\ncert-file: " + crt + "\nkey-file: " + key + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Restarts the proxy (each replica) serving {@code other}'s certificate and key in place of its own (an operator's
     * mistake, e.g. a certificate of another CA), or its own again for {@code null}; waits until it is up.
     */
    public void serveCertificate(Issued other) {
        try {
            Files.write(server.certPem(), other == null ? serverPem[0] : Files.readAllBytes(other.certPem()));
            Files.write(server.keyPem(), other == null ? serverPem[1] : Files.readAllBytes(other.keyPem()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        proxies().forEach(ServiceProcess::restart);
    }

    @Override
    public void close() {
        if (replica != null) {
            replica.close();
        }
        proxy.close();
        etcd.close();
    }
}
