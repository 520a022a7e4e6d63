package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeContexts.call;

import dev.clustermesh.core.tls.TlsProbe;
import dev.clustermesh.meshctl.cli.Confirm;
import dev.clustermesh.meshctl.cli.Durations;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.AccessLists;
import dev.clustermesh.meshctl.pki.ClusterSecrets;
import dev.clustermesh.meshctl.pki.KubeNames;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import dev.clustermesh.pki.Usage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * (2) new leaves from the new CA (the proxy's server certificate with its names, every client certificate with
 * its identity; pinned access list entries follow), confirmed when each proxy serves a certificate of the new CA;
 * (3) the old CA dropped everywhere and the new one stored as the mesh CA, confirmed when each proxy refuses a
 * certificate of the old CA. Pods are never restarted: every service follows its mounted files.
 */
final class CertRotation {
    private final String namespace;
    private final Duration timeout;
    private final PrintStream out;
    private final Path scratch;

    /** One cluster: its context, client and where other clusters reach its proxy. */
    record Site(String context, KubernetesClient k, String endpoint) {
    }

    CertRotation(String namespace, Duration timeout, PrintStream out) {
        this.namespace = namespace;
        this.timeout = timeout;
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
        KeyedCertificate old = ca(sites.get(0));
        for (Site s : sites) {
            if (!ca(s).certificate().equals(old.certificate())) {
                throw new MeshCtlException("context " + s.context() + " holds another mesh CA than "
                        + sites.get(0).context() + "; every cluster of the mesh must be rotated together");
            }
        }
        Instant now = Instant.now();
        KeyedCertificate next = Certificates.createCa("ClusterMesh/J CA " + now.getEpochSecond(),
                now.minus(Duration.ofHours(1)), now.plus(validity));
        Path nextDir = caDir.resolve("next");
        write(nextDir.resolve(MeshPki.CA_CERT), "");
        Pem.writeCertificate(nextDir.resolve(MeshPki.CA_CERT), next.certificate());
        Pem.writePrivateKey(nextDir.resolve(MeshPki.CA_KEY), next.key());
        out.println("🔑 New CA " + name(next.certificate()) + " (kept in " + nextDir + " until the rotation ends)");

        out.println("1/3 Trust bundle: old and new CA in every ca.crt");
        String bundle = Pem.certificate(old.certificate()) + Pem.certificate(next.certificate());
        sites.forEach(s -> setCa(s, bundle));
        Path bundleFile = write(scratch.resolve("bundle.crt"), bundle);
        Path[] newClient = probeClient(next, "new");
        for (Site s : sites) {
            await(s.context() + ": the proxy accepts a certificate of the new CA",
                    () -> connect(s, bundleFile, newClient).isPresent());
        }

        out.println("2/3 New certificates from the new CA");
        Map<String, Map<String, String>> serials = new TreeMap<>();
        for (Site s : sites) {
            serials.put(clusterName(s), reissue(s, next, validity));
        }
        sites.forEach(s -> repin(s, serials));
        for (Site s : sites) {
            await(s.context() + ": the proxy serves a certificate of the new CA", () -> connect(s, bundleFile, newClient)
                    .map(c -> c.getIssuerX500Principal().equals(next.certificate().getSubjectX500Principal()))
                    .orElse(false));
        }

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
            out.println("✅ " + s.context() + ": renewed the proxy's and the agents' certificates (new keys) from "
                    + "the mesh CA; other clusters that pin this cluster's certificates need 'meshctl clustermesh "
                    + "connect --pin' again");
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

    /** New leaves for {@code s}; returns the serial of each remote cluster's client certificate, by that cluster. */
    private Map<String, String> reissue(Site s, KeyedCertificate ca, Duration validity) {
        Instant now = Instant.now();
        Instant from = now.minus(Duration.ofHours(1));
        Map<String, String> tls = decoded(get(s, KubeNames.PROXY_TLS_SECRET));
        X509Certificate server = parse(tls.get("tls.crt"), s.context() + " " + KubeNames.PROXY_TLS_SECRET);
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        try {
            if (server.getSubjectAlternativeNames() != null) {
                for (List<?> san : server.getSubjectAlternativeNames()) {
                    ((Integer) san.get(0) == 2 ? dns : ips).add(String.valueOf(san.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            throw new MeshCtlException(s.context() + ": cannot read the proxy certificate's names: " + e.getMessage(), e);
        }
        KeyedCertificate fresh = Certificates.issue(ca, Certificates.commonName(server), Usage.SERVER, dns, ips, from,
                now.plus(validity));
        tls.put("tls.key", Pem.privateKey(fresh.key()));
        tls.put("tls.crt", Pem.certificate(fresh.certificate()));
        apply(s, ClusterSecrets.secret(KubeNames.PROXY_TLS_SECRET, namespace, "kubernetes.io/tls", tls));
        Map<String, String> entries = decoded(get(s, KubeNames.CLUSTERS_SECRET));
        Map<String, String> serials = new TreeMap<>();
        for (String key : List.copyOf(entries.keySet())) {
            if (!key.endsWith(ClusterSecrets.CERT_SUFFIX)) {
                continue;
            }
            String cluster = key.substring(0, key.length() - ClusterSecrets.CERT_SUFFIX.length());
            String cn = Certificates.commonName(parse(entries.get(key), s.context() + " " + key));
            KeyedCertificate client = Certificates.issue(ca, cn, Usage.CLIENT, List.of(), List.of(), from,
                    now.plus(validity));
            entries.put(cluster + ClusterSecrets.KEY_SUFFIX, Pem.privateKey(client.key()));
            entries.put(key, Pem.certificate(client.certificate()));
            serials.put(cluster, client.certificate().getSerialNumber().toString(16));
        }
        apply(s, ClusterSecrets.clusters(namespace, entries));
        return serials;
    }

    /** Pins in {@code s}'s access list follow the re-issued certificates of the clusters they pin. */
    private void repin(Site s, Map<String, Map<String, String>> serials) {
        String self = clusterName(s);
        ConfigMap cm = call(s.context(), () -> s.k().configMaps().inNamespace(namespace)
                .withName(KubeNames.ACCESS_CONFIG).get());
        if (cm == null || cm.getData() == null) {
            return;
        }
        Map<String, Optional<String>> list = AccessLists.parse(cm.getData().get(KubeNames.ACCESS_KEY),
                s.context() + " ConfigMap " + KubeNames.ACCESS_CONFIG);
        list.replaceAll((member, pin) -> pin.isEmpty() ? pin
                : Optional.ofNullable(serials.getOrDefault(member, Map.of()).get(self)).or(() -> pin));
        ConfigMap next = new ConfigMapBuilder(cm).withData(Map.of(KubeNames.ACCESS_KEY, AccessLists.render(self, list)))
                .build();
        call(s.context(), () -> s.k().configMaps().inNamespace(namespace).resource(next).update());
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

    private String clusterName(Site s) {
        return new ClusterMeshOps(namespace, out).record(s.context(), s.k()).orElseThrow(() -> new MeshCtlException(
                "context " + s.context() + ": ClusterMesh is not enabled")).self().name();
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
