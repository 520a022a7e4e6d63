package dev.clustermesh.meshctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clustermesh.testing.Binaries;
import dev.clustermesh.testing.Command;
import dev.clustermesh.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cases of the mcs-api conformance suite ({@code conformance/service_import.go} and the DNS ones) that need no
 * command run inside a pod, replayed on the real API servers of {@link McsOnRealKubernetes} in the suite's set-up:
 * in cluster1 (the suite's cluster[0]) a Deployment and Service {@code hello} with ports {@code tcp} 42/TCP and
 * {@code udp} 42/UDP and session affinity ClientIP, exported; cluster2 (cluster[1]) exports a variant more than a
 * second later, so cluster1's export is the oldest. Each case has its own namespace, as the suite's random ones. DNS is
 * asked of each cluster's mesh-dns with dig instead of nslookup in a pod.
 */
final class McsConformance {
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> CLUSTERS = List.of("cluster1", "cluster2");
    private final KubeMeshHarness mesh;
    private final String ns;

    /** A case in namespace {@code ns}, created in every cluster (namespace sameness). */
    McsConformance(KubeMeshHarness mesh, String ns) {
        this.mesh = mesh;
        this.ns = ns;
        for (String c : CLUSTERS) {
            mesh.kube.cluster(c).kubectl("create", "namespace", ns);
        }
    }

    /** {@code hello} in {@code cluster}: {@code ports} YAML list items under spec.ports, and its ServiceExport. */
    void export(String cluster, String ports, String extraSpec) {
        mesh.apply(cluster, ns + "-hello", """
                apiVersion: v1
                kind: Service
                metadata: {name: hello, namespace: %1$s}
                spec:
                  selector: {app: hello}
                  sessionAffinity: ClientIP
                  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10}}
                %3$s  ports:
                %2$s
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: hello, namespace: %1$s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: hello}}
                  template:
                    metadata: {labels: {app: hello}}
                    spec:
                      containers:
                      - {name: hello, image: registry.k8s.io/pause:3.10}
                ---
                apiVersion: multicluster.x-k8s.io/v1alpha1
                kind: ServiceExport
                metadata: {name: hello, namespace: %1$s}
                """.formatted(ns, ports, extraSpec));
    }

    /** The suite's ports: tcp 42/TCP and udp 42/UDP. */
    static String helloPorts() {
        return "  - {name: tcp, port: 42, protocol: TCP}\n  - {name: udp, port: 42, protocol: UDP}";
    }

    /**
     * Exports hello in cluster2 once more than a second has passed since cluster1's export: creation timestamps have
     * whole seconds, and the conflict rule needs cluster1's to be older (the suite waits 1.1 s likewise). The wait is
     * on the clock, not on the mesh.
     */
    void exportLaterInCluster2(String ports, String extraSpec) {
        String created = get("cluster1", "serviceexport").path("metadata").path("creationTimestamp").asText();
        Eventually.await(Duration.ofSeconds(5), () -> assertThat(java.time.Instant.now())
                .isAfter(java.time.Instant.parse(created).plusMillis(1_100)));
        export("cluster2", ports, extraSpec);
    }

    void unexport(String cluster) {
        mesh.kube.cluster(cluster).kubectl("delete", "serviceexport", "hello", "-n", ns);
    }

    /** hello's ServiceImport in {@code cluster}, or a missing node when there is none. */
    JsonNode serviceImport(String cluster) {
        String out = mesh.kube.cluster(cluster).kubectl("get", "serviceimport", "-n", ns, "-o", "json");
        try {
            for (JsonNode i : new ObjectMapper().readTree(out).path("items")) {
                if (i.path("metadata").path("name").asText().equals("hello")) {
                    return i;
                }
            }
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode awaitImport(String cluster) {
        Eventually.await(WAIT, () -> assertThat(serviceImport(cluster).isMissingNode()).as("ServiceImport in %s",
                cluster).isFalse());
        return serviceImport(cluster);
    }

    void awaitNoImport(String cluster) {
        Eventually.await(WAIT, () -> assertThat(serviceImport(cluster).isMissingNode()).as("no ServiceImport in %s",
                cluster).isTrue());
    }

    /** Checks for {@code seconds} that the import stays as it is (present or absent), asking the API server over and over. */
    void staysImported(String cluster, boolean present, int seconds) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            assertThat(serviceImport(cluster).isMissingNode()).as("ServiceImport in %s present", cluster)
                    .isEqualTo(!present);
        }
    }

    JsonNode get(String cluster, String kind) {
        try {
            return new ObjectMapper().readTree(mesh.kube.cluster(cluster).kubectl("get", kind, "hello", "-n", ns,
                    "-o", "json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** type → status of hello's ServiceExport conditions in {@code cluster}. */
    Map<String, String> conditions(String cluster) {
        Map<String, String> out = new TreeMap<>();
        get(cluster, "serviceexport").path("status").path("conditions")
                .forEach(c -> out.put(c.path("type").asText(), c.path("status").asText()));
        return out;
    }

    /** The reason of the ServiceExport's condition {@code type} in {@code cluster}, empty when it has none. */
    String reason(String cluster, String type) {
        for (JsonNode c : get(cluster, "serviceexport").path("status").path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("reason").asText();
            }
        }
        return "";
    }

    /** The import's ports as {@code name/protocol/port}, sorted by name, as the suite compares them. */
    static List<String> ports(JsonNode serviceImport) {
        List<String> out = new ArrayList<>();
        serviceImport.path("spec").path("ports").forEach(p -> out.add(p.path("name").asText() + "/"
                + p.path("protocol").asText() + "/" + p.path("port").asInt()));
        out.sort(null);
        return out;
    }

    /** {@code dig +short} of {@code type} for hello's clusterset name at {@code cluster}'s mesh-dns. */
    List<String> dig(String cluster, String type) {
        String dig = Binaries.require("dig", "apt-get install -y bind9-dnsutils").toString();
        Command.Result r = Command.run(Duration.ofSeconds(20), Map.of(), List.of(dig, "@127.0.0.1", "-p",
                Integer.toString(mesh.site(cluster).dnsPort()), "+short", "+time=2", "+tries=1", type,
                "hello." + ns + ".svc.clusterset.local"));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output().lines().filter(l -> !l.isBlank()).toList();
    }

    /** True when {@code text} is an IP address literal. */
    static boolean isIp(String text) {
        try {
            return !text.isEmpty() && InetAddress.getByName(text).getHostAddress() != null
                    && (text.indexOf(':') >= 0 || text.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch)));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static List<String> clusters() {
        return CLUSTERS;
    }
}
