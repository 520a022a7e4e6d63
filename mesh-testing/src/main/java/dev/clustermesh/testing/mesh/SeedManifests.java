package dev.clustermesh.testing.mesh;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The seed's rebel-base global service as Kubernetes manifests, per cluster (Service, EndpointSlice with pod
 * references, and the cluster's Node): what the agent's tests export. {@link Manifests} writes any service.
 */
public final class SeedManifests {
    private SeedManifests() {
    }

    /** ClusterIP of rebel-base in cluster N: 10.(N*10+1).0.10. */
    public static String clusterIp(int clusterId) {
        return "10." + (clusterId * 10 + 1) + ".0.10";
    }

    /** Pod IP number {@code i} in cluster N: 10.(N*10).1.i. */
    public static String podIp(int clusterId, int i) {
        return "10." + (clusterId * 10) + ".1." + i;
    }

    /** rebel-base in cluster {@code clusterId} with {@code replicas} ready endpoints and no extra annotations. */
    public static String rebelBase(int clusterId, int replicas) {
        return rebelBase(clusterId, replicas, Map.of());
    }

    /** rebel-base with {@code replicas} ready endpoints and the given extra annotations. */
    public static String rebelBase(int clusterId, int replicas, Map<String, String> annotations) {
        String extra = annotations.entrySet().stream()
                .map(e -> "    " + e.getKey() + ": \"" + e.getValue() + "\"\n").collect(Collectors.joining());
        String endpoints = replicas == 0 ? "endpoints: []\n" : "endpoints:\n" + java.util.stream.IntStream
                .rangeClosed(1, replicas).mapToObj(i -> "- addresses: [\"" + podIp(clusterId, i) + "\"]\n"
                        + "  conditions: {ready: true}\n  nodeName: node-" + clusterId + "\n"
                        + "  targetRef: {kind: Pod, namespace: default, name: rebel-base-" + i + "}\n")
                .collect(Collectors.joining());
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: rebel-base
                  namespace: default
                  annotations:
                    service.cilium.io/global: "true"
                %s\
                spec:
                  clusterIP: %s
                  clusterIPs: [%s]
                  ports:
                  - {name: http, port: 80, protocol: TCP, targetPort: 80}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: rebel-base-abc
                  namespace: default
                  labels: {kubernetes.io/service-name: rebel-base}
                addressType: IPv4
                ports:
                - {name: http, port: 80, protocol: TCP}
                %s\
                ---
                apiVersion: v1
                kind: Node
                metadata:
                  name: node-%d
                spec:
                  podCIDR: 10.%d.1.0/24
                  podCIDRs: [10.%d.1.0/24]
                status:
                  addresses:
                  - {type: InternalIP, address: 192.168.%d.2}
                """.formatted(extra, clusterIp(clusterId), clusterIp(clusterId), endpoints, clusterId,
                clusterId * 10, clusterId * 10, clusterId);
    }
}
