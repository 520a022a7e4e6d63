package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeContexts.call;

import dev.clustermesh.core.tls.TlsProbe;
import dev.clustermesh.meshctl.cli.Confirm;
import dev.clustermesh.meshctl.cli.Durations;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.ClusterSecrets;
import dev.clustermesh.meshctl.pki.KubeNames;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import dev.clustermesh.pki.Usage;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * A CA rollover of every given cluster through the Kubernetes API, in the order that keeps every connection
 * working, each step confirmed before the next: (1) the trust bundle (old and new CA) in every {@code ca.crt} of
 * the proxy's and the agents' Secrets, confirmed when each proxy accepts a client certificate of the new CA;
 * (2) the leaves signed by the new CA with their keys (the proxy's server certificate with its names, every client
 * certificate with its identity; key pins in access lists hold), confirmed when the proxy serves one of the new CA;
 * (3) the old CA dropped everywhere and the new one stored as the mesh CA, confirmed when each proxy refuses a
 * certificate of the old CA. Pods are never restarted: every service follows its mounted files.
 */
final class CertRotation {
    private final String namespace;
    private final Duration timeout;
    private final PrintStream out;
    private final Path scratch;
    private final Duration settle;
    private final List<String> agents;

    /** One cluster: its context, client and where other clusters reach its proxy. */
    record Site(String context, KubernetesClient k, String endpoint) {
    }

    CertRotation(String namespace, Duration timeout, PrintStream out) {
        this(namespace, timeout, Duration.ZERO, List.of(), out);
    }

    /**
     * @param settle how long to wait after each confirmed step when no agent is named
     * @param agents agent API addresses whose status must show each step (as the demo confirms its agents)
     */
    CertRotation(String namespace, Duration timeout, Duration settle, List<String> agents, PrintStream out) {
        this.namespace = namespace;
        this.timeout = timeout;
        this.settle = settle;
        this.agents = List.copyOf(agents);
        this.out = out;
        try {
            this.scratch = Files.createTempDirectory("meshctl-rotate");
        } catch (IOException e) {
            throw new MeshCtlException("cannot create a scratch directory: " + e.getMessage(), e);
        }
    }

    void run(List<Site> sites, Path caDir, Duration validity) {
        try {
            rotate(sites, caDir, validity);
        } finally {
            deleteScratch();
        }
    }

    private void deleteScratch() {
        try (java.util.stream.Stream<Path> files = Files.walk(scratch)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            out.println("⚠️  could not remove " + scratch + ": " + e.getMessage());
        }
    }

    private void rotate(List<Site> sites, Path caDir, Duration validity) {
        KeyedCertificate old = MeshPki.loadCa(caDir);
        Path nextDir = caDir.resolve("next");
        Instant now = Instant.now();
        // A rotation that stopped: go on with its new CA, whose certificates may already be deployed.
        KeyedCertificate resumed = Files.exists(nextDir.resolve(MeshPki.CA_CERT)) ? MeshPki.loadCa(nextDir) : null;
        checkWholeMesh(sites, old, resumed);
        KeyedCertificate next;
        if (resumed != null) {
            next = resumed;
            out.println("🔑 Resuming with the new CA " + name(next.certificate()) + " from " + nextDir);
        } else {
            next = Certificates.createCa("ClusterMesh/J CA " + now.getEpochSecond(), now.minus(Duration.ofHours(1)),
                    now.plus(validity));
            try {
                Files.createDirectories(nextDir);
            } catch (IOException e) {
                throw new MeshCtlException("cannot create " + nextDir + ": " + e.getMessage(), e);
            }
            Pem.writePrivateKey(nextDir.resolve(MeshPki.CA_KEY), next.key());
            Pem.writeCertificate(nextDir.resolve(MeshPki.CA_CERT), next.certificate());
            out.println("🔑 New CA " + name(next.certificate()) + " (kept in " + nextDir + " until the rotation ends)");
        }

        out.println("1/3 Trust bundle: old and new CA in every ca.crt");
        String bundle = Pem.certificate(old.certificate()) + Pem.certificate(next.certificate());
        sites.forEach(s -> setCa(s, bundle));
        Path bundleFile = write(scratch.resolve("bundle.crt"), bundle);
        Path[] newClient = probeClient(next, "new");
        for (Site s : sites) {
            await(s.context() + ": the proxy accepts a certificate of the new CA",
                    () -> connect(s, bundleFile, newClient).isPresent());
        }

        settle(sites, c -> c.stream().anyMatch(x -> x.getRole().equals("ca")
                && x.getSerial().equals(next.certificate().getSerialNumber().toString(16))), "trusts the new CA");

        out.println("2/3 The same keys signed by the new CA: the proxy's server certificate, every client certificate");
        sites.forEach(s -> reissue(s, next, validity));
        for (Site s : sites) {
            await(s.context() + ": the proxy serves a certificate of the new CA", () -> connect(s, bundleFile, newClient)
                    .map(c -> c.getIssuerX500Principal().equals(next.certificate().getSubjectX500Principal()))
                    .orElse(false));
        }
        String issuer = next.certificate().getSubjectX500Principal().getName();
        settle(sites, c -> c.stream().anyMatch(x -> x.getRole().equals("client") && x.getIssuer().equals(issuer)),
                "holds client certificates of the new CA");

        out.println("3/3 Old CA dropped: every ca.crt holds the new CA only");
        String only = Pem.certificate(next.certificate());
        sites.forEach(s -> setCa(s, only));
        Map<String, String> caData = new LinkedHashMap<>();
        caData.put("ca.crt", only);
        caData.put("ca.key", Pem.privateKey(next.key()));
        sites.forEach(s -> apply(s, ClusterSecrets.secret(KubeNames.CA_SECRET, namespace, "Opaque", caData)));
        Path nextOnly = write(scratch.resolve("next.crt"), only);
        Path[] oldClient = probeClient(old, "old");
        for (Site s : sites) {
            await(s.context() + ": the proxy refuses a certificate of the old CA",
                    () -> connect(s, nextOnly, oldClient).isEmpty() && connect(s, nextOnly, newClient).isPresent());
        }
        String nextSerial = next.certificate().getSerialNumber().toString(16);
        settle(sites, c -> c.stream().filter(x -> x.getRole().equals("ca")).allMatch(x -> x.getSerial()
                .equals(nextSerial)), "trusts only the new CA");
        Path previous = caDir.resolve("previous-" + now.getEpochSecond());
        try {
            Files.createDirectories(previous);
            Files.move(caDir.resolve(MeshPki.CA_CERT), previous.resolve(MeshPki.CA_CERT));
            Files.move(caDir.resolve(MeshPki.CA_KEY), previous.resolve(MeshPki.CA_KEY));
            Files.move(nextDir.resolve(MeshPki.CA_CERT), caDir.resolve(MeshPki.CA_CERT));
            Files.move(nextDir.resolve(MeshPki.CA_KEY), caDir.resolve(MeshPki.CA_KEY));
            Files.delete(nextDir);
        } catch (IOException e) {
            throw new MeshCtlException("the clusters use the new CA, but it could not replace " + caDir + ": "
                    + e.getMessage() + " (the new CA is in " + nextDir + ")", e);
        }
        out.println("✅ Rotated " + sites.size() + " clusters to CA " + name(next.certificate()) + "; nothing "
                + "restarted. The new CA is in " + caDir + ", the old one in " + previous + ".");
    }

    /**
     * New leaves for one cluster from the mesh CA it holds (no CA change, so no other cluster is touched) when one
     * of its certificates expires within {@code before}, or always with {@code force}; confirmed when its proxy
     * serves the new server certificate. What the CronJob runs.
     *
     * @return whether certificates were renewed
     */
    boolean renew(Site s, Duration validity, Duration before, boolean force) {
        try {
            Instant now = Instant.now();
            X509Certificate earliest = null;
            Map<String, String> all = decoded(get(s, KubeNames.CLUSTERS_SECRET));
            all.put("tls.crt", decoded(get(s, KubeNames.PROXY_TLS_SECRET)).get("tls.crt"));
            for (Map.Entry<String, String> e : all.entrySet()) {
                if (e.getKey().equals("tls.crt") || e.getKey().endsWith(ClusterSecrets.CERT_SUFFIX)) {
                    X509Certificate c = parse(e.getValue(), s.context() + " " + e.getKey());
                    if (earliest == null || c.getNotAfter().before(earliest.getNotAfter())) {
                        earliest = c;
                    }
                }
            }
            if (earliest == null) {
                throw new MeshCtlException("context " + s.context() + " holds no mesh certificates; run 'meshctl "
                        + "clustermesh enable' there first");
            }
            Duration left = Duration.between(now, earliest.getNotAfter().toInstant());
            if (!force && left.compareTo(before) > 0) {
                out.println("ℹ️  " + s.context() + ": nothing to renew; the earliest certificate, "
                        + Certificates.commonName(earliest) + ", expires in " + Durations.format(left));
                return false;
            }
            KeyedCertificate ca = ca(s);
            reissue(s, ca, validity);
            String served = parse(decoded(get(s, KubeNames.PROXY_TLS_SECRET)).get("tls.crt"), "tls.crt")
                    .getSerialNumber().toString(16);
            Path caFile = write(scratch.resolve("ca.crt"), Pem.certificate(ca.certificate()));
            Path[] client = probeClient(ca, "renew");
            await(s.context() + ": the proxy serves its renewed certificate (serial " + served + ")",
                    () -> connect(s, caFile, client).map(c -> c.getSerialNumber().toString(16).equals(served))
                            .orElse(false));
            out.println("✅ " + s.context() + ": renewed the proxy's and the agents' certificates from the mesh CA "
                    + "(same keys: key pins in other clusters' access lists hold)");
            return true;
        } finally {
            deleteScratch();
        }
    }

    private void setCa(Site s, String pem) {
        Secret tls = get(s, KubeNames.PROXY_TLS_SECRET);
        Map<String, String> data = decoded(tls);
        data.put("ca.crt", pem);
        apply(s, ClusterSecrets.secret(KubeNames.PROXY_TLS_SECRET, namespace, "kubernetes.io/tls", data));
        Map<String, String> entries = decoded(get(s, KubeNames.CLUSTERS_SECRET));
        entries.replaceAll((key, v) -> key.endsWith(ClusterSecrets.CA_SUFFIX) ? pem : v);
        apply(s, ClusterSecrets.clusters(namespace, entries));
    }

    /**
     * {@code s}'s leaves signed again by {@code ca} for {@code validity}: the proxy's server certificate (same names)
     * and every client certificate of its clusters Secret (same identities), each with its key, so that key pins in
     * other clusters' access lists hold.
     */
    private void reissue(Site s, KeyedCertificate ca, Duration validity) {
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofHours(1));
        Map<String, String> tls = decoded(get(s, KubeNames.PROXY_TLS_SECRET));
        KeyedCertificate server = Certificates.resign(ca, keyed(s, tls.get("tls.crt"), tls.get("tls.key"),
                KubeNames.PROXY_TLS_SECRET), from, now.plus(validity));
        tls.put("tls.crt", Pem.certificate(server.certificate()));
        apply(s, ClusterSecrets.secret(KubeNames.PROXY_TLS_SECRET, namespace, "kubernetes.io/tls", tls));
        Map<String, String> entries = decoded(get(s, KubeNames.CLUSTERS_SECRET));
        for (String key : List.copyOf(entries.keySet())) {
            if (key.endsWith(ClusterSecrets.CERT_SUFFIX)) {
                String cluster = key.substring(0, key.length() - ClusterSecrets.CERT_SUFFIX.length());
                KeyedCertificate client = Certificates.resign(ca, keyed(s, entries.get(key),
                        entries.get(cluster + ClusterSecrets.KEY_SUFFIX), KubeNames.CLUSTERS_SECRET + " " + key), from,
                        now.plus(validity));
                entries.put(key, Pem.certificate(client.certificate()));
            }
        }
        apply(s, ClusterSecrets.clusters(namespace, entries));
    }

    private KeyedCertificate keyed(Site s, String certPem, String keyPem, String where) {
        if (certPem == null || keyPem == null) {
            throw new MeshCtlException("context " + s.context() + ": " + where + " lacks its certificate or key");
        }
        return Pem.read(write(scratch.resolve("leaf.crt"), certPem), write(scratch.resolve("leaf.key"), keyPem));
    }

    /**
     * Every cluster the given ones are connected to must be given too (a left-out one would keep the old CA and be
     * cut off at step 3), and each must hold the old or (resuming, {@code next} not null) the new mesh CA.
     */
    private void checkWholeMesh(List<Site> sites, KeyedCertificate old, KeyedCertificate next) {
        java.util.Set<String> given = new java.util.TreeSet<>();
        java.util.Set<String> linked = new java.util.TreeSet<>();
        for (Site s : sites) {
            ClusterMeshOps.Record r = new ClusterMeshOps(namespace, out).record(s.context(), s.k()).orElseThrow(() ->
                    new MeshCtlException("context " + s.context() + ": ClusterMesh is not enabled"));
            given.add(r.self().name());
            linked.addAll(r.members().keySet());
            X509Certificate held = ca(s).certificate();
            if (!held.equals(old.certificate()) && (next == null || !held.equals(next.certificate()))) {
                throw new MeshCtlException("context " + s.context() + " holds another mesh CA than the one in the CA "
                        + "directory (" + name(held) + "); every cluster of the mesh must share it");
            }
        }
        linked.removeAll(given);
        if (!linked.isEmpty()) {
            throw new MeshCtlException("the given clusters are connected to " + String.join(", ", linked) + ", which "
                    + "would keep the old CA and be cut off: give every cluster of the mesh with --context");
        }
    }

    /**
     * After a step's probe: waits for every named agent to report {@code what}, then, when agents were not named,
     * for the settle time, in which the kubelet updates every pod's mounted Secrets (the probe reached one proxy
     * replica through the Service; other replicas and the agents are not reachable from here).
     */
    private void settle(List<Site> sites, java.util.function.Predicate<List<dev.clustermesh.proto.agent.v1.Certificate>> test,
            String what) {
        for (String address : agents) {
            await("agent " + address + " " + what + " for every cluster", () -> {
                try (dev.clustermesh.meshctl.agent.AgentClient a = new dev.clustermesh.meshctl.agent.AgentClient(address,
                        Duration.ofSeconds(5))) {
                    var clusters = a.status().getClustersList();
                    return !clusters.isEmpty() && clusters.stream().allMatch(c -> test.test(c.getCertificatesList()));
                } catch (MeshCtlException e) {
                    return false;
                }
            });
        }
        if (agents.isEmpty() && !settle.isZero()) {
            out.println("   ⌛ " + Durations.format(settle) + " for every pod's mount to follow (kubelet sync; --settle)");
            try {
                Thread.sleep(settle.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshCtlException("interrupted while waiting for the mounts to follow");
            }
        }
    }

    private Optional<X509Certificate> connect(Site s, Path ca, Path[] client) {
        URI uri = URI.create(s.endpoint());
        try {
            return Optional.of(TlsProbe.connect(uri.getHost(), uri.getPort(), ca, client[0], client[1]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Path[] probeClient(KeyedCertificate ca, String tag) {
        Instant now = Instant.now();
        KeyedCertificate c = Certificates.issue(ca, MeshPki.remoteIdentity("rotation-probe"), Usage.CLIENT, List.of(),
                List.of(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(2)));
        return new Path[] {write(scratch.resolve(tag + ".crt"), Pem.certificate(c.certificate())),
            write(scratch.resolve(tag + ".key"), Pem.privateKey(c.key()))};
    }

    private void await(String what, BooleanSupplier done) {
        Confirm.await(out, what, timeout, Duration.ofMillis(500), done, "the rotation stopped here; what was written "
                + "stays: run it again once the cause is fixed");
    }

    private KeyedCertificate ca(Site s) {
        Map<String, String> d = decoded(get(s, KubeNames.CA_SECRET));
        Path cert = write(scratch.resolve("ca-" + Math.abs(s.context().hashCode()) + ".crt"), d.get("ca.crt"));
        Path key = write(scratch.resolve("ca-" + Math.abs(s.context().hashCode()) + ".key"), d.get("ca.key"));
        return Pem.read(cert, key);
    }

    private Secret get(Site s, String name) {
        Secret secret = call(s.context(), () -> s.k().secrets().inNamespace(namespace).withName(name).get());
        if (secret == null) {
            throw new MeshCtlException("context " + s.context() + " has no Secret " + name + " in " + namespace
                    + "; run 'meshctl clustermesh enable' there first");
        }
        return secret;
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> out = new TreeMap<>();
        if (s.getData() != null) {
            s.getData().keySet().forEach(k -> out.put(k, ClusterSecrets.decode(s, k)));
        }
        return out;
    }

    private void apply(Site s, Secret secret) {
        call(s.context(), () -> s.k().secrets().inNamespace(namespace).resource(secret).update());
    }

    private X509Certificate parse(String pem, String where) {
        if (pem == null) {
            throw new MeshCtlException(where + " has no certificate");
        }
        return Pem.readCertificate(write(scratch.resolve("parse.crt"), pem));
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new MeshCtlException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String name(X509Certificate c) {
        return c.getSubjectX500Principal().getName() + " (serial " + c.getSerialNumber().toString(16) + ", until "
                + c.getNotAfter().toInstant() + ")";
    }
}
