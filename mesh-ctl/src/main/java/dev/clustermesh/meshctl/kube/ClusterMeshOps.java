package dev.clustermesh.meshctl.kube;

import static dev.clustermesh.meshctl.kube.KubeContexts.call;

import dev.clustermesh.core.identity.ClusterIdentity;
import dev.clustermesh.core.identity.MeshMembership;
import dev.clustermesh.meshctl.cli.MeshCtlException;
import dev.clustermesh.meshctl.pki.ClusterSecrets;
import dev.clustermesh.meshctl.pki.AccessLists;
import dev.clustermesh.meshctl.pki.KubeNames;
import dev.clustermesh.meshctl.pki.MeshPki;
import dev.clustermesh.pki.Certificates;
import dev.clustermesh.pki.KeyedCertificate;
import dev.clustermesh.pki.Pem;
import dev.clustermesh.pki.Usage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code meshctl clustermesh} does to clusters through the Kubernetes API, in the namespace of the mesh:
 * the shared CA ({@code clustermesh-ca}), the proxy's certificate ({@code mesh-proxy-tls}), the agents' clusters
 * directory ({@code clustermesh-clusters}, Cilium's layout), the proxy Service's type, and meshctl's own record
 * ({@code clustermesh-config}: this cluster's name and ID, and every cluster it is connected to with its ID, so
 * that a duplicate name or ID anywhere in the mesh is refused before anything is written).
 */
final class ClusterMeshOps {
    static final String NAME = "cluster-name";
    static final String ID = "cluster-id";
    static final String MEMBERS = "members";
    private final String namespace;
    private final PrintStream out;

    ClusterMeshOps(String namespace, PrintStream out) {
        this.namespace = namespace;
        this.out = out;
    }

    /** A cluster's record: its identity and the identities of the clusters it is connected to. */
    record Record(ClusterIdentity self, Map<String, Integer> members) {
    }

    /** The proxy Service types {@code enable} accepts. */
    enum ServiceType {
        NodePort, LoadBalancer, ClusterIP
    }

    /**
     * Everything is read and every certificate issued before the first write, so a refusal leaves the cluster as it
     * was. {@code type} null keeps an existing Service's type (NodePort for a new one).
     */
    void enable(String context, KubernetesClient k, ClusterIdentity cluster, ServiceType type, Path caDir,
            List<String> extraDns, List<String> extraIps, Duration validity) {
        Record existing = record(context, k).orElse(null);
        if (existing != null && !existing.self().equals(cluster)) {
            throw new MeshCtlException("context " + context + " is already enabled as " + existing.self()
                    + "; refusing to make it " + cluster + " (a cluster's name and ID never change)");
        }
        KeyedCertificate ca = MeshPki.loadCa(caDir);
        Secret caSecret = call(context, () -> k.secrets().inNamespace(namespace).withName(KubeNames.CA_SECRET).get());
        if (caSecret != null && !Pem.certificate(ca.certificate()).equals(ClusterSecrets.decode(caSecret, "ca.crt"))) {
            throw new MeshCtlException("context " + context + " already holds a different mesh CA (Secret "
                    + KubeNames.CA_SECRET + "); every cluster of a mesh must use the same --ca-dir");
        }
        Service current = call(context, () -> k.services().inNamespace(namespace).withName(KubeNames.PROXY_SERVICE)
                .get());
        List<String> dns = new ArrayList<>(MeshPki.defaultServerNames(cluster.name(), namespace));
        List<String> ips = new ArrayList<>(List.of("127.0.0.1"));
        ProxyAddresses.nodeAddresses(context, k).forEach(ip -> addOnce(ips, ip));
        if (current != null) {
            for (String address : ProxyAddresses.loadBalancerAddresses(current)) {
                addOnce(isIp(address) ? ips : dns, address);
            }
        }
        extraDns.forEach(d -> addOnce(dns, d));
        extraIps.forEach(ip -> addOnce(ips, ip));
        MeshPki.ClusterCertificates certs = MeshPki.issue(ca, cluster.name(), dns, ips, validity);

        if (call(context, () -> k.namespaces().withName(namespace).get()) == null) {
            call(context, () -> k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .endMetadata().build()).create());
        }
        List<String> crds = installMcs(context, k, cluster);
        Service svc = proxyService(context, k, current, type);
        Map<String, String> caData = new LinkedHashMap<>();
        caData.put("ca.crt", Pem.certificate(ca.certificate()));
        caData.put("ca.key", Pem.privateKey(ca.key()));
        apply(context, k, ClusterSecrets.secret(KubeNames.CA_SECRET, namespace, "Opaque", caData));
        apply(context, k, ClusterSecrets.proxyTls(certs, namespace));
        Map<String, String> entries = clusterEntries(context, k);
        entries.putAll(ClusterSecrets.clusterEntry(cluster.name(), ClusterSecrets.inClusterEndpoint(namespace),
                Pem.certificate(ca.certificate()), Pem.certificate(certs.local().certificate()),
                Pem.privateKey(certs.local().key())));
        apply(context, k, ClusterSecrets.clusters(namespace, entries));
        Map<String, Integer> members = existing == null ? new TreeMap<>() : new TreeMap<>(existing.members());
        writeRecord(context, k, new Record(cluster, members));
        out.println("✅ ClusterMesh enabled in context " + context + " as " + cluster + ":");
        out.println("   Secrets " + KubeNames.CA_SECRET + ", " + KubeNames.PROXY_TLS_SECRET + " (names "
                + String.join(", ", dns) + ", " + String.join(", ", ips) + "), " + KubeNames.CLUSTERS_SECRET
                + "; ConfigMap " + KubeNames.CLUSTER_CONFIG + "; Service " + KubeNames.PROXY_SERVICE + " ("
                + svc.getSpec().getType() + "); CRDs " + String.join(", ", crds));
        if ("LoadBalancer".equals(svc.getSpec().getType()) && ProxyAddresses.loadBalancerAddresses(svc).isEmpty()) {
            out.println("⚠️  The load balancer has no address yet, so the proxy certificate does not name it: run "
                    + "enable again once it has one (or pass --proxy-ip / --proxy-dns)");
        }
        out.println("   Deploy the workloads with: kubectl --context " + context + " apply -k k8s/overlays/<cluster>"
                + " (an overlay with the same name and ID; see k8s/README.md)");
    }

    /** Installs the Multi-Cluster Services CRDs and claims this cluster's ClusterProperty; returns the CRDs. */
    private List<String> installMcs(String context, KubernetesClient k, ClusterIdentity cluster) {
        List<String> crds = call(context, () -> McsCrds.install(k));
        call(context, () -> McsCrds.claimClusterProperty(k, cluster.name())).ifPresent(other -> out.println(
                "⚠️  ClusterProperty " + other + ", not " + cluster.name()
                        + "; left as it is (a cluster's clusterset name never changes)"));
        return crds;
    }

    private static void addOnce(List<String> list, String value) {
        if (!list.contains(value)) {
            list.add(value);
        }
    }

    private static boolean isIp(String address) {
        return address.indexOf(':') >= 0 || address.matches("[0-9.]+");
    }

    void connect(String sourceContext, KubernetesClient source, String destinationContext,
            KubernetesClient destination, String destinationEndpoint, String sourceEndpoint, Duration validity,
            boolean pin) {
        Record a = requireRecord(sourceContext, source);
        Record b = requireRecord(destinationContext, destination);
        if (a.self().name().equals(b.self().name())) {
            throw new MeshCtlException("contexts " + sourceContext + " and " + destinationContext
                    + " are both cluster '" + a.self().name() + "'; cluster names must be unique in the mesh");
        }
        Map<String, Integer> all = new TreeMap<>();
        List<ClusterIdentity> candidates = new ArrayList<>();
        for (Record r : List.of(a, b)) {
            candidates.add(r.self());
            r.members().forEach((n, id) -> candidates.add(new ClusterIdentity(n, id)));
        }
        List<ClusterIdentity> distinct = candidates.stream().distinct().toList();
        List<String> conflicts = MeshMembership.conflicts(distinct);
        if (!conflicts.isEmpty()) {
            throw new MeshCtlException("connecting " + a.self() + " and " + b.self() + " would put duplicates in the "
                    + "mesh: " + String.join("; ", conflicts));
        }
        distinct.forEach(c -> all.put(c.name(), c.id()));
        KeyedCertificate caA = ca(sourceContext, source);
        KeyedCertificate caB = ca(destinationContext, destination);
        if (!caA.certificate().equals(caB.certificate())) {
            throw new MeshCtlException(a.self().name() + " and " + b.self().name() + " do not share a CA (Secret "
                    + KubeNames.CA_SECRET + " differs); enable both with the same --ca-dir");
        }
        String toB = destinationEndpoint != null ? destinationEndpoint
                : ProxyAddresses.endpoint(destinationContext, destination, namespace, "--destination-endpoint");
        String toA = sourceEndpoint != null ? sourceEndpoint : ProxyAddresses.endpoint(sourceContext, source, namespace, "--source-endpoint");
        X509Certificate certA = addEntry(sourceContext, source, a.self().name(), b.self().name(), toB, caA, validity);
        X509Certificate certB = addEntry(destinationContext, destination, b.self().name(), a.self().name(), toA, caA,
                validity);
        Map<String, Integer> ma = new TreeMap<>(a.members());
        ma.put(b.self().name(), b.self().id());
        Map<String, Integer> mb = new TreeMap<>(b.members());
        mb.put(a.self().name(), a.self().id());
        writeRecord(sourceContext, source, new Record(a.self(), ma),
                Map.of(b.self().name(), pin ? AccessLists.Pins.key(certB) : AccessLists.Pins.NONE));
        writeRecord(destinationContext, destination, new Record(b.self(), mb),
                Map.of(a.self().name(), pin ? AccessLists.Pins.key(certA) : AccessLists.Pins.NONE));
        out.println("✅ Connected " + a.self() + " and " + b.self() + ":");
        out.println("   " + a.self().name() + "'s agents reach " + b.self().name() + " at " + toB + " as "
                + MeshPki.remoteIdentity(a.self().name()));
        out.println("   " + b.self().name() + "'s agents reach " + a.self().name() + " at " + toA + " as "
                + MeshPki.remoteIdentity(b.self().name()));
        out.println("   Each proxy lets the other in (ConfigMap " + KubeNames.ACCESS_CONFIG + (pin
                ? ", pinned to the key of the certificate just issued" : "") + "); agents pick the change up from Secret "
                + KubeNames.CLUSTERS_SECRET + ", both without a restart; check with: meshctl status --wait");
    }

    void disconnect(String sourceContext, KubernetesClient source, String destinationContext,
            KubernetesClient destination) {
        Record a = requireRecord(sourceContext, source);
        Record b = requireRecord(destinationContext, destination);
        if (a.self().name().equals(b.self().name())) {
            throw new MeshCtlException("contexts " + sourceContext + " and " + destinationContext
                    + " are both cluster '" + a.self().name() + "'; nothing to disconnect (and its own entry stays)");
        }
        boolean was = a.members().containsKey(b.self().name()) || b.members().containsKey(a.self().name());
        removeEntry(sourceContext, source, b.self().name());
        removeEntry(destinationContext, destination, a.self().name());
        Map<String, Integer> ma = new TreeMap<>(a.members());
        ma.remove(b.self().name());
        Map<String, Integer> mb = new TreeMap<>(b.members());
        mb.remove(a.self().name());
        writeRecord(sourceContext, source, new Record(a.self(), ma));
        writeRecord(destinationContext, destination, new Record(b.self(), mb));
        out.println(was ? "✅ Disconnected " + a.self() + " and " + b.self()
                + "; their agents withdraw each other's services"
                : "ℹ️  " + a.self() + " and " + b.self() + " were not connected; nothing to do");
    }

    java.util.Optional<Record> record(String context, KubernetesClient k) {
        ConfigMap cm = call(context, () -> k.configMaps().inNamespace(namespace).withName(KubeNames.CLUSTER_CONFIG).get());
        if (cm == null || cm.getData() == null) {
            return java.util.Optional.empty();
        }
        Map<String, String> d = cm.getData();
        String name = d.get(NAME);
        int id = ClusterIdentity.parseId(KubeNames.CLUSTER_CONFIG + "." + ID, d.getOrDefault(ID, ""));
        Map<String, Integer> members = new TreeMap<>();
        for (String line : d.getOrDefault(MEMBERS, "").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                members.put(line.substring(0, eq).trim(), ClusterIdentity.parseId(KubeNames.CLUSTER_CONFIG + "."
                        + MEMBERS, line.substring(eq + 1).trim()));
            }
        }
        return java.util.Optional.of(new Record(new ClusterIdentity(name, id), members));
    }

    private Record requireRecord(String context, KubernetesClient k) {
        return record(context, k).orElseThrow(() -> new MeshCtlException("context " + context
                + ": ClusterMesh is not enabled (no ConfigMap " + KubeNames.CLUSTER_CONFIG + " in " + namespace
                + "); run 'meshctl clustermesh enable --context " + context + " --cluster-name … --cluster-id …' "
                + "first"));
    }

    private void writeRecord(String context, KubernetesClient k, Record r) {
        writeRecord(context, k, r, Map.of());
    }

    /**
     * Writes the record and the proxy's access list (ConfigMap {@value KubeNames#ACCESS_CONFIG}): every member may
     * read, with the pins in {@code pins} where given, else as pinned before (hand-written pins stay).
     */
    private void writeRecord(String context, KubernetesClient k, Record r, Map<String, AccessLists.Pins> pins) {
        ConfigMap current = call(context, () -> k.configMaps().inNamespace(namespace)
                .withName(KubeNames.ACCESS_CONFIG).get());
        Map<String, AccessLists.Pins> before = current == null || current.getData() == null ? Map.of()
                : AccessLists.parse(current.getData().get(KubeNames.ACCESS_KEY), "ConfigMap " + KubeNames.ACCESS_CONFIG);
        Map<String, AccessLists.Pins> access = new TreeMap<>();
        r.members().keySet().forEach(m -> access.put(m, pins.containsKey(m) ? pins.get(m)
                : before.getOrDefault(m, AccessLists.Pins.NONE)));
        ConfigMap list = new ConfigMapBuilder().withNewMetadata().withName(KubeNames.ACCESS_CONFIG)
                .withNamespace(namespace).addToLabels(KubeNames.MANAGED_BY, "meshctl").endMetadata()
                .addToData(KubeNames.ACCESS_KEY, AccessLists.render(r.self().name(), access)).build();
        call(context, () -> k.configMaps().inNamespace(namespace).resource(list).createOr(e -> e.update()));
        StringBuilder members = new StringBuilder();
        r.members().forEach((n, id) -> members.append(n).append('=').append(id).append('\n'));
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(KubeNames.CLUSTER_CONFIG)
                .withNamespace(namespace).addToLabels(KubeNames.MANAGED_BY, "meshctl").endMetadata()
                .addToData(NAME, r.self().name()).addToData(ID, Integer.toString(r.self().id()))
                .addToData(MEMBERS, members.toString()).build();
        call(context, () -> k.configMaps().inNamespace(namespace).resource(cm).createOr(e -> e.update()));
    }

    private KeyedCertificate ca(String context, KubernetesClient k) {
        Secret s = call(context, () -> k.secrets().inNamespace(namespace).withName(KubeNames.CA_SECRET).get());
        if (s == null) {
            throw new MeshCtlException("context " + context + " has no Secret " + KubeNames.CA_SECRET
                    + "; run 'meshctl clustermesh enable' there first");
        }
        try {
            Path tmp = Files.createTempDirectory("meshctl-ca");
            try {
                Files.writeString(tmp.resolve("ca.crt"), ClusterSecrets.decode(s, "ca.crt"));
                Files.writeString(tmp.resolve("ca.key"), ClusterSecrets.decode(s, "ca.key"));
                return Pem.read(tmp.resolve("ca.crt"), tmp.resolve("ca.key"));
            } finally {
                Files.deleteIfExists(tmp.resolve("ca.crt"));
                Files.deleteIfExists(tmp.resolve("ca.key"));
                Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw new MeshCtlException("context " + context + ": Secret " + KubeNames.CA_SECRET
                    + " does not hold a usable ca.crt and ca.key: " + e.getMessage(), e);
        }
    }

    private Map<String, String> clusterEntries(String context, KubernetesClient k) {
        Secret s = call(context, () -> k.secrets().inNamespace(namespace).withName(KubeNames.CLUSTERS_SECRET).get());
        Map<String, String> data = new TreeMap<>();
        if (s != null && s.getData() != null) {
            s.getData().keySet().forEach(key -> data.put(key, ClusterSecrets.decode(s, key)));
        }
        return data;
    }

    /** Gives {@code self}'s agents an entry for {@code remote}; returns the issued client certificate. */
    private X509Certificate addEntry(String context, KubernetesClient k, String self, String remote, String endpoint,
            KeyedCertificate ca, Duration validity) {
        Instant now = Instant.now();
        KeyedCertificate client = Certificates.issue(ca, MeshPki.remoteIdentity(self), Usage.CLIENT, List.of(),
                List.of(), now.minus(Duration.ofHours(1)), now.plus(validity));
        Map<String, String> entries = clusterEntries(context, k);
        entries.putAll(ClusterSecrets.clusterEntry(remote, endpoint, Pem.certificate(ca.certificate()),
                Pem.certificate(client.certificate()), Pem.privateKey(client.key())));
        apply(context, k, ClusterSecrets.clusters(namespace, entries));
        return client.certificate();
    }

    private void removeEntry(String context, KubernetesClient k, String remote) {
        Map<String, String> entries = clusterEntries(context, k);
        entries.keySet().removeIf(key -> key.equals(remote) || key.startsWith(remote + "."));
        apply(context, k, ClusterSecrets.clusters(namespace, entries));
    }

    private Service proxyService(String context, KubernetesClient k, Service existing, ServiceType type) {
        if (existing != null && (type == null || type.name().equals(existing.getSpec().getType()))) {
            return existing;
        }
        Service svc;
        if (existing != null) {
            ServiceBuilder b = new ServiceBuilder(existing).editSpec().withType(type.name()).endSpec();
            if (type == ServiceType.ClusterIP) {
                // A ClusterIP Service may not keep node ports: the API server refuses the update otherwise.
                b.editSpec().withPorts(existing.getSpec().getPorts().stream()
                        .map(port -> new io.fabric8.kubernetes.api.model.ServicePortBuilder(port).withNodePort(null)
                                .build()).toList()).endSpec();
            }
            svc = b.build();
        } else {
            String t = type == null ? ServiceType.NodePort.name() : type.name();
            svc = new ServiceBuilder().withNewMetadata().withName(KubeNames.PROXY_SERVICE).withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/name", KubeNames.PROXY_SERVICE)
                    .addToLabels(KubeNames.MANAGED_BY, "meshctl").endMetadata().withNewSpec()
                    .withType(t).addToSelector("app.kubernetes.io/name", KubeNames.PROXY_SERVICE)
                    .addNewPort().withName("etcd-api").withPort(KubeNames.PROXY_PORT).withProtocol("TCP")
                    .withNewTargetPort("etcd-api").endPort().endSpec().build();
        }
        return call(context, () -> k.services().inNamespace(namespace).resource(svc).createOr(e -> e.update()));
    }

    private void apply(String context, KubernetesClient k, Secret secret) {
        Secret current = call(context, () -> k.secrets().inNamespace(namespace)
                .withName(secret.getMetadata().getName()).get());
        if (current != null && !java.util.Objects.equals(current.getType(), secret.getType())) {
            // A Secret's type cannot change (e.g. one made with `kubectl create secret generic`): replace it.
            call(context, () -> k.secrets().inNamespace(namespace).withName(secret.getMetadata().getName()).delete());
            call(context, () -> k.secrets().inNamespace(namespace).resource(secret).create());
            return;
        }
        call(context, () -> k.secrets().inNamespace(namespace).resource(secret).createOr(e -> e.update()));
    }
}
