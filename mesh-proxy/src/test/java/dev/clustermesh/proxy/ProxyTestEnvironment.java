package dev.clustermesh.proxy;

import dev.clustermesh.testing.etcd.EtcdProcess;
import dev.clustermesh.testing.FreePorts;
import dev.clustermesh.testing.tls.Ca;
import dev.clustermesh.testing.tls.CertificateFactory;
import dev.clustermesh.testing.tls.Issued;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real things a mesh-proxy under {@code @QuarkusTest} talks to: an etcd process on free loopback ports,
 * a mesh CA with the proxy's server certificate, and client certificates for every identity a test needs
 * (this cluster's {@code local-cluster1}, {@code remote-cluster2}, an unknown CN, an expired one and one
 * from another CA). The API listens on a free port; the exporter is off unless a test's args turn it on.
 *
 * <p>One environment serves the whole JVM run ({@link #current()}); Quarkus calls {@link #start()} once per
 * application start with these args.
 */
public final class ProxyTestEnvironment implements QuarkusTestResourceLifecycleManager {
    public static final String CLUSTER = "cluster1";
    /** Init arg: etcd's {@code --max-request-bytes} (not a proxy property). */
    public static final String ETCD_MAX_REQUEST_BYTES = "test.etcd.max-request-bytes";
    /** Init arg: the access list file's first content; the proxy then reads it, checking every 200 ms. */
    public static final String ACCESS_LIST = "test.access-list";

    private static volatile ProxyTestEnvironment current;

    private final Map<String, String> overrides = new HashMap<>();
    private Path dir;
    private EtcdProcess etcd;
    private int apiPort;
    private int managementPort;
    private Path accessFile;
    private Ca ca;
    private Issued server;
    private Issued local;
    private Issued remote;
    private Issued unknown;
    private Issued expired;
    private Issued foreign;

    @Override
    public void init(Map<String, String> initArgs) {
        overrides.putAll(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("mesh-proxy-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CertificateFactory certs = new CertificateFactory(dir.resolve("pki"));
        ca = certs.createCa("clustermesh-ca");
        server = certs.issueServer(ca, "mesh-proxy." + CLUSTER, List.of("localhost", "mesh-proxy"), List.of("127.0.0.1"));
        local = certs.issueClient(ca, "local-" + CLUSTER);
        remote = certs.issueClient(ca, "remote-cluster2");
        unknown = certs.issueClient(ca, "someone-else");
        expired = certs.issueExpired(ca, "local-" + CLUSTER);
        foreign = certs.issueClient(certs.createCa("other-ca"), "local-" + CLUSTER);
        // A test may raise etcd's request limit, e.g. to write one revision larger than a client's message limit.
        String maxRequest = overrides.remove(ETCD_MAX_REQUEST_BYTES);
        etcd = maxRequest == null ? EtcdProcess.start(dir.resolve("etcd"))
                : EtcdProcess.builder().dataDir(dir.resolve("etcd")).extraArgs("--max-request-bytes", maxRequest).start();
        apiPort = FreePorts.next();
        managementPort = FreePorts.next();
        String access = overrides.remove(ACCESS_LIST);

        Map<String, String> config = new HashMap<>();
        config.put("mesh.cluster.name", CLUSTER);
        config.put("mesh.cluster.id", "1");
        config.put("mesh.cluster.pod-cidrs", "10.10.0.0/16");
        config.put("mesh.cluster.service-cidrs", "10.11.0.0/16");
        config.put("mesh.etcd.endpoints", etcd.endpoint());
        config.put("mesh.export.source", "none");
        config.put("quarkus.http.test-ssl-port", Integer.toString(apiPort));
        config.put("quarkus.management.test-port", Integer.toString(managementPort));
        if (access != null) {
            accessFile = dir.resolve("access.yaml");
            try {
                Files.writeString(accessFile, access);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            config.put("mesh.access.file", accessFile.toString());
            config.put("mesh.access.check-interval", "200ms");
        }
        config.put("quarkus.tls.mesh-api.key-store.pem.0.cert", server.certPem().toString());
        config.put("quarkus.tls.mesh-api.key-store.pem.0.key", server.keyPem().toString());
        config.put("quarkus.tls.mesh-api.trust-store.pem.certs", ca.certPem().toString());
        config.putAll(overrides);
        current = this;
        return config;
    }

    @Override
    public void stop() {
        if (etcd != null) {
            etcd.close();
        }
    }

    /** The environment of the running application. */
    public static ProxyTestEnvironment current() {
        if (current == null) {
            throw new IllegalStateException("no mesh-proxy test environment: annotate the test with "
                    + "@QuarkusTestResource(ProxyTestEnvironment.class)");
        }
        return current;
    }

    public EtcdProcess etcd() {
        return etcd;
    }

    public Path dir() {
        return dir;
    }

    /** The proxy API endpoint, e.g. {@code https://127.0.0.1:40123}. */
    public String apiEndpoint() {
        return "https://127.0.0.1:" + apiPort;
    }

    public int apiPort() {
        return apiPort;
    }

    /** The management port: {@code /metrics}, {@code /q/health}. */
    public int managementPort() {
        return managementPort;
    }

    /** The access list file, when the test's args gave one ({@link #ACCESS_LIST}). */
    public Path accessFile() {
        if (accessFile == null) {
            throw new IllegalStateException("no access list: pass the init arg " + ACCESS_LIST);
        }
        return accessFile;
    }

    /** Issues more certificates from this environment's CA, e.g. a second one for the same identity. */
    public CertificateFactory certificates() {
        return new CertificateFactory(dir.resolve("pki"));
    }

    public Ca ca() {
        return ca;
    }

    /** Client certificate with CN {@code local-cluster1}. */
    public Issued local() {
        return local;
    }

    /** Client certificate with CN {@code remote-cluster2}. */
    public Issued remote() {
        return remote;
    }

    /** Client certificate with an identity the proxy does not know. */
    public Issued unknown() {
        return unknown;
    }

    /** Expired client certificate with CN {@code local-cluster1}. */
    public Issued expired() {
        return expired;
    }

    /** Client certificate with CN {@code local-cluster1} from another CA. */
    public Issued foreign() {
        return foreign;
    }
}
