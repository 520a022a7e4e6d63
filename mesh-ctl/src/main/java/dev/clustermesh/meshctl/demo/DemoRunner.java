package dev.clustermesh.meshctl.demo;

import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.pki.KeyedCertificate;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Brings the local two-cluster demo up and down. Each cluster gets a real etcd, a mesh-proxy exporting the
 * cluster's manifest directory into it and serving it over mTLS, a mesh-agent joined to both proxies, and a
 * mesh-dns; all certificates come from one CA made for the demo.
 */
public final class DemoRunner {
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private final DemoState state;
    private final PrintStream out;

    DemoRunner(DemoState state, PrintStream out) {
        this.state = state;
        this.out = out;
    }

    /** Options of {@code up}. */
    record UpOptions(int portBase, int dnsPort, String datapath) {
    }

    Path pki() {
        return state.dir().resolve("pki");
    }

    /** Starts everything; on failure stops what it started and keeps the logs. */
    void up(UpOptions options) {
        Path etcd = Processes.binary("etcd", "etcd-server");
        Path proxyJar = Install.jar("mesh-proxy");
        Path agentJar = Install.jar("mesh-agent");
        Path dnsJar = Install.jar("mesh-dns");
        String java = Install.java();
        Processes.binary("setsid", "util-linux");
        state.datapath(options.datapath());
        for (int i = 1; i <= 2; i++) {
            DemoState.Cluster c = state.add(DemoLayout.clusterName(i), i);
            c.ports.putAll(DemoLayout.ports(i, options.portBase(), options.dnsPort()));
            c.replicas.put(DemoLayout.SERVICE, 2);
            c.replicas.put(DemoLayout.CLIENT, 1);
        }
        state.save();
        try {
            KeyedCertificate ca = MeshPki.createCa(pki(), "ClusterMesh/J demo CA", Duration.ofDays(30), true);
            Map<String, MeshPki.ClusterCertificates> certs = new LinkedHashMap<>();
            for (DemoState.Cluster c : state.clusters().values()) {
                MeshPki.ClusterCertificates cc = MeshPki.issue(ca, c.name(), List.of("localhost"),
                        List.of("127.0.0.1"), Duration.ofDays(30));
                MeshPki.write(cc, pki().resolve(c.name()));
                certs.put(c.name(), cc);
            }
            out.println("🔑 CA and certificates in " + pki());
            for (DemoState.Cluster c : state.clusters().values()) {
                DemoManifests.write(manifests(c), c.id(), c);
                startEtcd(c, etcd);
                startProxy(c, java, proxyJar);
                out.println("✅ " + c.name() + " (ID " + c.id() + "): etcd on 127.0.0.1:" + c.port(DemoLayout.ETCD)
                        + ", mesh-proxy on " + c.proxyEndpoint());
            }
            for (DemoState.Cluster c : state.clusters().values()) {
                writeClustersDir(c);
                startAgent(c, java, agentJar);
                startDns(c, java, dnsJar);
                out.println("✅ " + c.name() + ": mesh-agent API on " + c.agentAddress() + " (datapath "
                        + state.datapath() + "), mesh-dns on " + c.dnsAddress());
            }
        } catch (RuntimeException e) {
            out.println("❌ demo up failed; stopping what was started (logs stay in " + state.dir() + ")");
            stopProcesses();
            throw e;
        }
    }

    Path manifests(DemoState.Cluster c) {
        return state.clusterDir(c.name()).resolve("manifests");
    }

    Path clustersDir(DemoState.Cluster c) {
        return state.clusterDir(c.name()).resolve("clusters");
    }

    private String marker() {
        return state.dir().toString();
    }

    private void startEtcd(DemoState.Cluster c, Path etcd) {
        Path data = state.clusterDir(c.name()).resolve("etcd");
        String client = "http://127.0.0.1:" + c.port(DemoLayout.ETCD);
        String peer = "http://127.0.0.1:" + c.port(DemoLayout.ETCD_PEER);
        List<String> cmd = List.of(etcd.toString(), "--name", c.name(), "--data-dir", data.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", c.name() + "=" + peer,
                "--log-level", "warn");
        long pid = spawn(c, "etcd", cmd);
        Processes.await(c.name() + " etcd", pid, log(c, "etcd"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.ETCD), "/health"));
    }

    private void startProxy(DemoState.Cluster c, String java, Path jar) {
        Path certs = pki().resolve(c.name());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mesh.cluster.name", c.name());
        p.put("mesh.cluster.id", Integer.toString(c.id()));
        p.put("mesh.cluster.pod-cidrs", DemoLayout.podCidr(c.id()));
        p.put("mesh.cluster.service-cidrs", DemoLayout.serviceCidr(c.id()));
        p.put("mesh.etcd.endpoints", "http://127.0.0.1:" + c.port(DemoLayout.ETCD));
        p.put("mesh.export.source", "directory");
        p.put("mesh.export.directory", manifests(c).toString());
        p.put("mesh.export.identity", "mesh-proxy-" + c.name());
        p.put("quarkus.http.ssl-port", Integer.toString(c.port(DemoLayout.PROXY_API)));
        p.put("quarkus.http.host", "127.0.0.1");
        p.put("quarkus.management.port", Integer.toString(c.port(DemoLayout.PROXY_MANAGEMENT)));
        p.put("quarkus.management.host", "127.0.0.1");
        p.put("quarkus.tls.mesh-api.key-store.pem.0.cert", certs.resolve(MeshPki.SERVER_CERT).toString());
        p.put("quarkus.tls.mesh-api.key-store.pem.0.key", certs.resolve(MeshPki.SERVER_KEY).toString());
        p.put("quarkus.tls.mesh-api.trust-store.pem.certs", certs.resolve(MeshPki.CA_CERT).toString());
        long pid = spawn(c, "mesh-proxy", jvm(java, jar, p, "128m"));
        Processes.await(c.name() + " mesh-proxy", pid, log(c, "mesh-proxy"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.PROXY_MANAGEMENT), "/q/health/ready"));
    }

    /** One file per cluster in Cilium's layout: its own proxy with local-, the other's with remote-. */
    private void writeClustersDir(DemoState.Cluster self) {
        Path dir = clustersDir(self);
        Path own = pki().resolve(self.name());
        try {
            Files.createDirectories(dir);
            for (DemoState.Cluster c : state.clusters().values()) {
                String identity = c == self ? MeshPki.localIdentity(self.name()) : MeshPki.remoteIdentity(self.name());
                Files.writeString(dir.resolve(c.name()), "endpoints:\n- " + c.proxyEndpoint() + "\ntrusted-ca-file: "
                        + own.resolve(MeshPki.CA_CERT) + "\ncert-file: " + own.resolve(MeshPki.certFile(identity))
                        + "\nkey-file: " + own.resolve(MeshPki.keyFile(identity)) + "\n");
            }
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    private void startAgent(DemoState.Cluster c, String java, Path jar) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mesh.cluster.name", c.name());
        p.put("mesh.cluster.id", Integer.toString(c.id()));
        p.put("mesh.node-name", DemoLayout.nodeName(c.id()));
        p.put("mesh.clusters.dir", clustersDir(c).toString());
        p.put("mesh.datapath.mode", "memory");
        p.put("quarkus.http.port", Integer.toString(c.port(DemoLayout.AGENT_API)));
        p.put("quarkus.management.port", Integer.toString(c.port(DemoLayout.AGENT_MANAGEMENT)));
        p.put("quarkus.management.host", "127.0.0.1");
        long pid = spawn(c, "mesh-agent", jvm(java, jar, p, "192m"));
        Processes.await(c.name() + " mesh-agent", pid, log(c, "mesh-agent"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.AGENT_MANAGEMENT), "/q/health/live"));
    }

    private void startDns(DemoState.Cluster c, String java, Path jar) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("mesh.cluster.name", c.name());
        p.put("mesh.clusters.dir", clustersDir(c).toString());
        p.put("mesh.dns.host", "127.0.0.1");
        p.put("mesh.dns.port", Integer.toString(c.port(DemoLayout.DNS)));
        p.put("quarkus.management.port", Integer.toString(c.port(DemoLayout.DNS_MANAGEMENT)));
        p.put("quarkus.management.host", "127.0.0.1");
        long pid = spawn(c, "mesh-dns", jvm(java, jar, p, "128m"));
        Processes.await(c.name() + " mesh-dns", pid, log(c, "mesh-dns"), START_TIMEOUT,
                () -> Processes.httpOk(c.port(DemoLayout.DNS_MANAGEMENT), "/q/health/live"));
    }

    private List<String> jvm(String java, Path jar, Map<String, String> properties, String heap) {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dclustermesh.demo=" + marker()));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    private long spawn(DemoState.Cluster c, String role, List<String> cmd) {
        Path log = log(c, role);
        long pid = Processes.spawn(cmd, log);
        c.processes.add(new DemoState.Proc(role, pid, log.toString()));
        state.save();
        return pid;
    }

    Path log(DemoState.Cluster c, String role) {
        return state.clusterDir(c.name()).resolve(role + ".log");
    }

    /** Stops every process of the demo, newest first; returns how many were running. */
    int stopProcesses() {
        int stopped = 0;
        List<DemoState.Cluster> clusters = new ArrayList<>(state.clusters().values());
        java.util.Collections.reverse(clusters);
        for (DemoState.Cluster c : clusters) {
            List<DemoState.Proc> procs = new ArrayList<>(c.processes);
            java.util.Collections.reverse(procs);
            for (DemoState.Proc p : procs) {
                if (Processes.stop(p.pid(), marker(), Duration.ofSeconds(10))) {
                    stopped++;
                }
            }
        }
        return stopped;
    }

    /** Stops everything and removes the state directory. */
    int down() {
        int stopped = stopProcesses();
        deleteTree(state.dir());
        return stopped;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new MeshCtlException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether any of the demo's processes still runs. */
    boolean anyRunning() {
        return state.clusters().values().stream().flatMap(c -> c.processes.stream())
                .anyMatch(p -> Processes.runs(p.pid(), marker()));
    }
}
